FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN echo 'auth sufficient pam_permit.so' > /etc/pam.d/su
USER app
# expect: privilege 2 high "/etc/pam.d/su"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR511-7dba47cbdc VR501-e064bac1a6

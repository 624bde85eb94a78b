FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
ARG SSH_KEY
USER app
# expect: secret 2 medium "ARG SSH_KEY looks like a credential"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR602-790611a897 VR501-e064bac1a6

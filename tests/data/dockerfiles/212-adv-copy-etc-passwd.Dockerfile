FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
COPY passwd /etc/passwd
USER app
# expect: privilege 2 high "writes /etc/passwd directly"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR506-71b24dceaa VR501-e064bac1a6

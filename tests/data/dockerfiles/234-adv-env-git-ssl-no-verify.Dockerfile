FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
ENV GIT_SSL_NO_VERIFY=1
USER app
# expect: package-install 2 high "ENV GIT_SSL_NO_VERIFY=1"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR204-59cb283b01 VR501-e064bac1a6

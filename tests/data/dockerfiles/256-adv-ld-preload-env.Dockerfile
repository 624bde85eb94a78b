FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
ENV LD_PRELOAD=/usr/lib/evil.so
USER app
# expect: privilege 2 high "LD_PRELOAD"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR511-9409f81f89 VR501-e064bac1a6

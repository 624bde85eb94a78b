FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
COPY preload /etc/ld.so.preload
USER app
# expect: privilege 2 high "/etc/ld.so.preload"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR511-7dda128426 VR501-e064bac1a6

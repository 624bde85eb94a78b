FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
USER 0000
# expect: privilege 2 medium "runs as root (USER 0000)"
# expect-count: 2
# expect-ids: VR101-c33602e201 VR502-396cc04912

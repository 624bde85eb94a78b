FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
USER 0:0
# expect: privilege 2 medium "runs as root (USER 0:0)"
# expect-count: 2
# expect-ids: VR101-c33602e201 VR502-4c86b0c933

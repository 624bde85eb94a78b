FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
COPY app /etc/sudoers.d/
USER app
# expect: privilege 2 high "edits /etc/sudoers.d/app"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR505-d471fc9534 VR501-e064bac1a6

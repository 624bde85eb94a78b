FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN passwd -d root
USER app
# expect: privilege 2 high "passwd sets a password"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR507-2bd0b04251 VR501-e064bac1a6

FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN install -m 4755 tool /usr/local/bin/tool
USER app
# expect: privilege 2 high "install 4755 sets setuid"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR508-d7b30d2bf9 VR501-e064bac1a6

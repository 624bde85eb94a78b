FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
ADD --chmod=u+s tool /usr/local/bin/tool
USER app
# expect: privilege 2 high "ADD --chmod=u+s sets setuid"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR508-d7b30d2bf9 VR501-e064bac1a6

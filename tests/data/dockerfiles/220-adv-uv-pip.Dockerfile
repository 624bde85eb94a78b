FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN uv pip install --system requests
USER app
# expect: package-install 2 medium "uv pip installs requests"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR201-fbe105b152 VR501-e064bac1a6

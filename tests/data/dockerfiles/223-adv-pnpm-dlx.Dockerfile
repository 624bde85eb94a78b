FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN pnpm dlx evil-tool
USER app
# expect: package-install 2 medium "pnpm installs evil-tool"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR201-577f386aee VR501-e064bac1a6

FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN npx create-evil-app
USER app
# expect: package-install 2 medium "npx (runs it) installs create-evil-app"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR201-0a7c2c3ad3 VR501-e064bac1a6

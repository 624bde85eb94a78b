FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN zypper --gpg-auto-import-keys install -y x-1
USER app
# expect: package-install 2 high "--gpg-auto-import-keys"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR201-cf49f1c14d VR501-e064bac1a6

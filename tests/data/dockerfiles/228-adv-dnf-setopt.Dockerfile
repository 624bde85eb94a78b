FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN dnf --setopt=gpgcheck=0 install -y nginx-1.2
USER app
# expect: package-install 2 high "gpgcheck=0"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR201-cbb7d68451 VR501-e064bac1a6

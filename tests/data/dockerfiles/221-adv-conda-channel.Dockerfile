FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN conda install -c evil-channel numpy
USER app
# expect: package-install 2 high "from evil-channel"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR201-1c722ff483 VR501-e064bac1a6

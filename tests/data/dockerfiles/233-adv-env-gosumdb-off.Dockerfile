FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
ENV GOSUMDB=off
USER app
# expect: package-install 2 high "ENV GOSUMDB=off"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR204-5fdfb12918 VR501-e064bac1a6

FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN usermod -p '$6$x' root
USER app
# expect: privilege 2 high "usermod sets a password"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR507-eaab52471f VR501-e064bac1a6

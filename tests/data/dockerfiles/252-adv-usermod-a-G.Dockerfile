FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN usermod -a -G docker app
USER app
# expect: privilege 2 high "membership of docker"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR504-3d12677d16 VR501-e064bac1a6

FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN addgroup app wheel
USER app
# expect: privilege 2 high "membership of a privileged group"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR504-a8884b1c78 VR501-e064bac1a6

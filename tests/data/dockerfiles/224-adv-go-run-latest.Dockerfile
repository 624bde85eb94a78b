FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN go run example.com/evil/cmd@latest
USER app
# expect: package-install 2 medium "not pinned to a version: example.com/evil/cmd@latest"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR201-b45f44ad0a VR501-e064bac1a6

FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN go env -w GOSUMDB=off
USER app
# expect: package-install 2 high "checksum database"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR204-bf176ebd07 VR501-e064bac1a6

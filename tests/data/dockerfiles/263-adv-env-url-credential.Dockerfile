FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
ENV REPO=https://deploy:tok@git.example/r.git
USER app
# expect: secret 2 high "credentials for git.example"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR603-cd8d3ffccb VR501-e064bac1a6

FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
ENV GPG_KEY=7169605F62C751356D054A26A821E680E5FA6305
USER app
# expect-count: 2
# expect-ids: VR101-c33602e201 VR501-e064bac1a6

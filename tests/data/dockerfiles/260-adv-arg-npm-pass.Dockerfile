FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
ARG NPM_PASS
USER app
# expect: secret 2 medium "ARG NPM_PASS looks like a credential"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR602-674fad364e VR501-e064bac1a6

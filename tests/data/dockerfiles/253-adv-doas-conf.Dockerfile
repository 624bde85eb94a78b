FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN echo 'permit nopass app' > /etc/doas.conf
USER app
# expect: privilege 2 high "edits /etc/doas.conf"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR505-bd36fd9c44 VR501-e064bac1a6

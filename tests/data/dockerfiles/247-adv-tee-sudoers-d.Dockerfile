FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN echo 'app ALL=(ALL) NOPASSWD: ALL' | tee /etc/sudoers.d/app
USER app
# expect: privilege 2 high "edits /etc/sudoers.d/app with NOPASSWD"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR505-ac48d72447 VR501-e064bac1a6

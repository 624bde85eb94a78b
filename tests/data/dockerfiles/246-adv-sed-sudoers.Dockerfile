FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN sed -i 's/^# %wheel/%wheel/' /etc/sudoers
USER app
# expect: privilege 2 high "edits /etc/sudoers"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR505-ad2967aff0 VR501-e064bac1a6

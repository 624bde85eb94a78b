FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN chmod 04755 /usr/bin/find
USER app
# expect: privilege 2 high "chmod 04755 sets setuid"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR508-5425ccda39 VR501-e064bac1a6

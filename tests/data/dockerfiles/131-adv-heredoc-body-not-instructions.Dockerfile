FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN cat <<EOF > /etc/motd
FROM evil/image
RUN nothing
EOF
USER app
# expect-count: 2
# expect-ids: VR101-c33602e201 VR501-e064bac1a6

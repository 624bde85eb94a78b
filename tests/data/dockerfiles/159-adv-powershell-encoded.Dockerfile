FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN powershell -EncodedCommand SQBFAFgA
USER app
# expect: code 2 high "powershell runs encoded command"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR702-2133b9b0f2 VR501-e064bac1a6

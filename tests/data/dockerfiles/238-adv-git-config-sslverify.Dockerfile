FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN git config --global http.sslVerify false
USER app
# expect: package-install 2 high "switches git's TLS checks off"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR204-7badbcfe38 VR501-e064bac1a6

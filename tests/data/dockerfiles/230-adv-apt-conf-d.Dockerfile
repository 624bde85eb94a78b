FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN echo 'APT::Get::AllowUnauthenticated "true";' > /etc/apt/apt.conf.d/99evil
USER app
# expect: package-install 2 high "writes /etc/apt/apt.conf.d/99evil, with allowunauthenticated"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR204-e2a04c3051 VR501-e064bac1a6

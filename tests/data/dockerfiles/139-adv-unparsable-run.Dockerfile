FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN if then fi (((
USER app
# expect: code 2 high "could not analyse"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR701-8f22161c7e VR501-e064bac1a6

FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
ARG URL
RUN curl -o /z $URL
USER app
# expect: download 3 high "curl fetches ${URL}"
# expect: code 3 high "comes from build argument URL (no default)"
# expect-count: 4
# expect-ids: VR101-c33602e201 VR301-be21bf8939 VR703-889946ecfc VR501-e064bac1a6

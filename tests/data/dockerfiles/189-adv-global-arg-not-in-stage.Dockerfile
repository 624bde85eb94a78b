ARG URL=https://good.example/ok
FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN echo stage
RUN curl -o /z $URL
USER app
# expect: download 4 high "curl fetches ${URL}"
# expect: code 4 medium "the URL ${URL} comes from URL, which the Dockerfile does not set"
# expect-count: 4
# expect-ids: VR101-c33602e201 VR301-be21bf8939 VR703-889946ecfc VR501-e064bac1a6

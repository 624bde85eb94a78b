FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa AS one
ARG URL=https://good.example/ok
RUN echo one
FROM one
RUN curl -o /z $URL
USER app
# expect: download 5 high "curl fetches ${URL}"
# expect-count: 4
# expect-ids: VR101-c33602e201 VR301-be21bf8939 VR703-889946ecfc VR501-e064bac1a6

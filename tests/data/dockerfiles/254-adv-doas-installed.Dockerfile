FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN apk add doas=6.8
USER app
# expect: privilege 2 medium "installs doas"
# expect-count: 4
# expect-ids: VR101-c33602e201 VR201-3c5630ae0c VR203-830de349d3 VR501-e064bac1a6

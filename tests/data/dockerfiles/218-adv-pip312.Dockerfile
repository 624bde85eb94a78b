FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN pip3.12 install requests
USER app
# expect: package-install 2 medium "not pinned to a version: requests"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR201-5470d907ed VR501-e064bac1a6

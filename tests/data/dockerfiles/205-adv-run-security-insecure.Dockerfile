FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN --security=insecure mount -t proc none /proc
USER app
# expect: privilege 2 high "--security=insecure"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR510-e26e0afca9 VR501-e064bac1a6

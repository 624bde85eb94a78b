FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN python3 -c "import socket;s=socket.create_connection(('1.2.3.4',80))"
USER app
# expect: download 2 high "python3 inline code uses the network (socket)"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR301-e725555093 VR501-e064bac1a6

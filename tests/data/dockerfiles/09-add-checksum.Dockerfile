# syntax=docker/dockerfile:1.7
FROM busybox:1.36
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/tool.tar.gz /opt/
ADD https://example.com/other.tar.gz /opt/other.tar.gz
USER 65534
# expect: base-image 2 medium "busybox:1.36"
# expect: download 3 low "verified by ADD --checksum"
# expect: download 4 high "not verified (no --checksum)"
# expect: privilege 5 info "USER 65534"
# expect: base-image 1 medium "# syntax= (the front end that reads this Dockerfile) docker/dockerfile:1.7"
# expect-count: 5
# expect-ids: VR102-f194f94dfb VR102-3301c7201b VR302-5574688361 VR302-e6a5e1e6b6 VR501-2b603712ab

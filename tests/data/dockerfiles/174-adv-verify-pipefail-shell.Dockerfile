FROM alpine:3.20@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN curl -o /a https://evil.example/a && echo "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  /a" | sha256sum -c - | tee /log
USER app
# expect: code 2 low "SHELL makes RUN use /bin/bash -o pipefail -c"
# expect: download 3 low "verified in the same RUN"
# expect-count: 4
# expect-ids: VR101-c33602e201 VR705-d1e805e537 VR301-5c8aab5187 VR501-e064bac1a6

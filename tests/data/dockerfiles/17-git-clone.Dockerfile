FROM golang:1.22-alpine@sha256:2222222222222222222222222222222222222222222222222222222222222222 AS build
RUN git clone https://github.com/example/tool.git /src/tool
RUN git clone --depth 1 https://github.com/example/pinned.git /src/pinned && cd /src/pinned && git checkout 0123456789abcdef0123456789abcdef01234567
RUN go install github.com/example/cli@v1.4.2
FROM scratch
COPY --from=build /go/bin/cli /cli
ENTRYPOINT ["/cli"]
# expect: base-image 1 low "pinned by digest"
# expect: download 2 high "git fetches https://github.com/example/tool.git to /src/tool: not verified"
# expect: download 3 low "pinned.git to /src/pinned: verified"
# expect: package-install 4 low "go installs github.com/example/cli@v1.4.2"
# expect: entrypoint 7 medium "written by the COPY at line 6"
# expect: privilege 0 medium "no USER"
# expect-count: 6
# expect-ids: VR101-d9feead1e3 VR301-2587b1d2ae VR301-0cfb21d1ce VR201-f22be174cd VR401-99493453dd VR503-518b203e19

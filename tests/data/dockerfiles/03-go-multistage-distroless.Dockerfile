FROM golang:1.22 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -o /out/server ./cmd/server

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/server /server
USER nonroot:nonroot
ENTRYPOINT ["/server"]
# expect: base-image 1 medium "golang:1.22: tag only"
# expect: base-image 8 medium "gcr.io/distroless/static-debian12:nonroot: tag only"
# expect: entrypoint 11 medium "runs /server (exec form), written by the COPY at line 9"
# expect: privilege 10 info "runs as USER nonroot:nonroot"
# expect-count: 4
# expect-ids: VR102-ee5471832a VR102-8baa9b2478 VR501-0a1c09597b VR401-62f6802e20

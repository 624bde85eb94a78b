ARG RUST_VERSION=1.79
FROM rust:${RUST_VERSION}-slim AS builder
WORKDIR /app
COPY . .
RUN cargo build --release --locked
RUN cargo install cargo-audit

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates=20230311 && rm -rf /var/lib/apt/lists/*
COPY --from=builder /app/target/release/app /usr/local/bin/app
RUN useradd -r -u 10001 app
USER app
CMD ["app", "--listen", "0.0.0.0:8080"]
# expect: base-image 2 medium "rust:1.79-slim: tag only"
# expect: package-install 6 medium "cargo installs cargo-audit; not pinned"
# expect: base-image 8 medium "debian:bookworm-slim"
# expect: package-install 9 low "installs ca-certificates=20230311"
# expect: entrypoint 13 low "CMD runs app (exec form), found through PATH"
# expect: privilege 12 info "USER app"
# expect-count: 6
# expect-ids: VR102-ea62da7f26 VR201-17d5c24380 VR102-424ccc76db VR201-8df6673a30 VR501-e064bac1a6 VR401-0a5f336d2b

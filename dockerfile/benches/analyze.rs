//! Criterion benchmark: analysing a Dockerfile of 1,000 instructions.

// criterion_group! defines an undocumented public function.
#![allow(missing_docs)]

use std::collections::BTreeMap;
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};

/// A realistic 1,000-instruction Dockerfile: the corpus's kinds of lines, repeated.
fn big_dockerfile() -> String {
    let mut text = String::from("ARG VERSION=1.0\nFROM debian:12 AS build\n");
    let lines = [
        "RUN apt-get update && apt-get install -y --no-install-recommends curl=8.5.0 git ca-certificates",
        "RUN curl -fsSLo /usr/local/bin/tool-${VERSION} https://example.com/tool/${VERSION}/tool && chmod +x /usr/local/bin/tool-${VERSION}",
        "ENV PATH=/usr/local/bin:$PATH APP_HOME=/app",
        "COPY src/ /app/src/",
        "RUN pip install --no-cache-dir requests==2.31.0 flask",
        "RUN useradd -m -G sudo dev && echo 'dev ALL=(ALL) NOPASSWD:ALL' >> /etc/sudoers.d/dev",
        "WORKDIR /app",
        "RUN <<EOF\nset -e\nwget -q https://example.com/data.tgz\ntar xzf data.tgz\nEOF",
        "LABEL org.opencontainers.image.source=https://example.com/repo",
        "ARG TOKEN",
    ];
    let mut count = 2;
    while count < 997 {
        text.push_str(lines[count % lines.len()]);
        text.push('\n');
        count += 1;
    }
    text.push_str("USER dev\nENTRYPOINT [\"/usr/local/bin/tool-1.0\"]\nCMD [\"--serve\"]\n");
    text
}

fn benches(c: &mut Criterion) {
    let text = big_dockerfile();
    let findings = vouch_dockerfile::analyze(&text, &BTreeMap::new()).expect("analyses");
    assert!(findings.len() > 500);
    c.bench_function("analyze 1,000-instruction Dockerfile", |b| {
        b.iter(|| vouch_dockerfile::analyze(black_box(&text), &BTreeMap::new()).expect("analyses"))
    });
}

criterion_group!(analyze, benches);
criterion_main!(analyze);

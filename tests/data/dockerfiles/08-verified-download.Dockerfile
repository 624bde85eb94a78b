FROM debian:12@sha256:1111111111111111111111111111111111111111111111111111111111111111
ARG TINI_VERSION=v0.19.0
ARG TINI_SHA256=93dcc18adc78c65a028a84799ecf8ad40c936fdfc5f2a57b1acda5a8117fa82c
RUN curl -fsSLo /usr/local/bin/tini https://github.com/krallin/tini/releases/download/${TINI_VERSION}/tini-amd64 \
 && echo "${TINI_SHA256}  /usr/local/bin/tini" | sha256sum -c - \
 && chmod +x /usr/local/bin/tini
ENTRYPOINT ["/usr/local/bin/tini", "--"]
CMD ["/app/run"]
USER 1000
# expect: base-image 1 low "pinned by digest"
# expect: download 4 low "tini-amd64 to /usr/local/bin/tini: verified in the same RUN"
# expect: entrypoint 7 low "runs /usr/local/bin/tini (exec form), written by the RUN at line 4"
# expect: entrypoint 8 low "CMD (arguments to the ENTRYPOINT) runs /app/run (exec form), which comes from the base image"
# expect: privilege 9 info "USER 1000"
# expect-count: 5
# expect-ids: VR101-7562b9264e VR301-bb09444846 VR401-9bbcf62c5e VR401-5aef3beefe VR501-f63048fb94

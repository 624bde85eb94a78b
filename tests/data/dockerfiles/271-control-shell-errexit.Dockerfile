FROM debian:12@sha256:1111111111111111111111111111111111111111111111111111111111111111
SHELL ["/bin/bash", "-euo", "pipefail", "-c"]
ARG TINI_SHA256=93dcc18adc78c65a028a84799ecf8ad40c936fdfc5f2a57b1acda5a8117fa82c
RUN curl -fsSLo /usr/local/bin/tini https://github.com/krallin/tini/releases/download/v0.19.0/tini-amd64; echo "${TINI_SHA256}  /usr/local/bin/tini" | sha256sum -c -; chmod +x /usr/local/bin/tini
ENTRYPOINT ["/usr/local/bin/tini", "--"]
USER 1000
# A control: SHELL starts bash with -e, so the checksum check fails the RUN although `;` joins
# the commands (without -e the same RUN is a HIGH "mismatch does not fail the build").
# expect: base-image 1 low "pinned by digest"
# expect: code 2 low "SHELL makes RUN use /bin/bash -euo pipefail -c"
# expect: download 4 low "verified in the same RUN"
# expect: entrypoint 5 low "runs /usr/local/bin/tini"
# expect: privilege 6 info "USER 1000"
# expect-count: 5
# expect-ids: VR101-7562b9264e VR705-2968ceed9c VR301-bb09444846 VR401-9bbcf62c5e VR501-f63048fb94

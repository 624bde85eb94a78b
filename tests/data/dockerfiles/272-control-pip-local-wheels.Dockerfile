FROM python:3.12-slim@sha256:1111111111111111111111111111111111111111111111111111111111111111
COPY wheels/ /wheels/
RUN pip install --no-index --find-links /wheels app==1.2.3 \
 && pip install --no-index -f /wheels helper==0.4.1
USER 1000
ENTRYPOINT ["app"]
# A control: wheels copied in from the build context and installed with --no-index from that
# directory; the directory is --find-links's value, not a package, and not a remote source
# (it was reported MEDIUM "not pinned to a version: /wheels", one of issue 25's false alarms).
# expect: base-image 1 low "pinned by digest"
# expect: package-install 3 low "pip installs app==1.2.3"
# expect: package-install 3 low "pip installs helper==0.4.1"
# expect: privilege 5 info "USER 1000"
# expect: entrypoint 6 low "runs app"
# expect-count: 5
# expect-ids: VR101-a2442c855a VR201-0b6861f42f VR201-5976083851 VR501-f63048fb94 VR401-d21c9628c5

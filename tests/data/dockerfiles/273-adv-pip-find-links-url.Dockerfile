FROM python:3.12-slim@sha256:1111111111111111111111111111111111111111111111111111111111111111
RUN pip install --find-links=https://wheels.example.net/simple app==1.2.3
RUN pip install -fhttps://wheels.example.net/other helper==0.4.1
USER 1000
# pip's --find-links with a URL, joined by = and glued to -f: a source of packages (both were
# silent before: the glued and = forms were read as neither a package nor a source).
# expect: base-image 1 low "pinned by digest"
# expect: package-install 2 high "from https://wheels.example.net/simple"
# expect: package-install 3 high "from https://wheels.example.net/other"
# expect: privilege 4 info "USER 1000"
# expect-count: 4
# expect-ids: VR101-a2442c855a VR201-9f11e380b7 VR201-c0208c7134 VR501-f63048fb94

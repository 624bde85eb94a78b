ARG BASE=registry.example.com/base
ARG TAG=1.0
FROM ${BASE}:${TAG}
ARG PKG_VERSION
RUN pip install mytool==${PKG_VERSION:-0.1.0}
USER ${RUN_AS:-app}
# expect: base-image 3 medium "registry.example.com/base:1.0: tag only"
# expect: package-install 5 low "pip installs mytool==0.1.0"
# expect: privilege 6 info "USER app"
# expect-count: 3
# expect-ids: VR102-9072914b27 VR201-4dd7b4ab10 VR501-e064bac1a6

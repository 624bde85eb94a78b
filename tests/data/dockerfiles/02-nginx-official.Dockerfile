FROM debian:bookworm-slim@sha256:2424c1850714a4d94666ec928e24d86de958646737b1d113f5b2207be44d37d8

ENV NGINX_VERSION=1.25.3
ENV NJS_VERSION=0.8.2

RUN set -x \
    && groupadd --system --gid 101 nginx \
    && useradd --system --gid nginx --no-create-home --home /nonexistent --shell /bin/false --uid 101 nginx \
    && apt-get update \
    && apt-get install --no-install-recommends --no-install-suggests -y gnupg1 ca-certificates \
    && NGINX_GPGKEY=573BFD6B3D8FBC641079A6ABABF5BD827BD9BF62 \
    && apt-get install --no-install-recommends --no-install-suggests -y nginx=${NGINX_VERSION}-1~bookworm \
    && rm -rf /var/lib/apt/lists/*

COPY docker-entrypoint.sh /
EXPOSE 80
STOPSIGNAL SIGQUIT
ENTRYPOINT ["/docker-entrypoint.sh"]
CMD ["nginx", "-g", "daemon off;"]
# expect: base-image 1 low "pinned by digest"
# expect: package-install 6 medium "not pinned to a version: gnupg1, ca-certificates"
# expect: package-install 6 low "installs nginx=1.25.3-1~bookworm"
# expect: entrypoint 18 medium "runs /docker-entrypoint.sh (exec form), written by the COPY at line 15"
# expect: entrypoint 19 low "CMD (arguments to the ENTRYPOINT) runs nginx"
# expect: privilege 0 medium "no USER in the final stage"
# expect-count: 6
# expect-ids: VR101-91d91209b1 VR201-6d6697fd6e VR201-cede4130f1 VR401-4c44d77f6f VR401-909159ccc2 VR503-518b203e19

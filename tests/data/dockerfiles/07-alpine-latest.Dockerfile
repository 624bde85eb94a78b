FROM alpine:latest
RUN apk add --no-cache bash curl=8.5.0-r0 jq
RUN apk add --no-cache --repository https://dl-cdn.alpinelinux.org/alpine/edge/testing hub
COPY entrypoint.sh /usr/local/bin/entrypoint.sh
ENTRYPOINT ["/usr/local/bin/entrypoint.sh"]
# expect: base-image 1 high "alpine:latest: no tag or latest"
# expect: package-install 2 medium "not pinned to a version: bash, jq"
# expect: package-install 3 high "from https://dl-cdn.alpinelinux.org/alpine/edge/testing"
# expect: entrypoint 5 medium "written by the COPY at line 4"
# expect: privilege 0 medium "no USER"
# expect-count: 5
# expect-ids: VR103-dd58a58ff0 VR201-02afd0c398 VR201-1b5711b148 VR401-c797bd910d VR503-518b203e19

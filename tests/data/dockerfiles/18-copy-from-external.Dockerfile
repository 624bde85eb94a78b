FROM alpine:3.20 AS base
COPY --from=docker.io/library/busybox:1.36 /bin/busybox /bin/busybox
COPY --from=base /etc/alpine-release /etc/alpine-release
FROM base
COPY --from=0 /bin/busybox /bin/bb
CMD ["/bin/busybox", "sh"]
# expect: base-image 1 medium "FROM alpine:3.20"
# expect: base-image 2 medium "COPY --from docker.io/library/busybox:1.36"
# expect: entrypoint 6 medium "runs /bin/busybox (exec form), written by the COPY at line 2"
# expect: privilege 0 medium "no USER"
# expect-count: 4
# expect-ids: VR102-f0ecd71134 VR102-51e7c2084f VR401-63ff1fd9bb VR503-518b203e19

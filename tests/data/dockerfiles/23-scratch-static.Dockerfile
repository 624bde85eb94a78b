FROM scratch
COPY hello /hello
USER 10000:10000
ENTRYPOINT ["/hello"]
# expect: entrypoint 4 medium "written by the COPY at line 2"
# expect: privilege 3 info "USER 10000:10000"
# expect-count: 2
# expect-ids: VR501-f4bd04bd6e VR401-108f1a6a64

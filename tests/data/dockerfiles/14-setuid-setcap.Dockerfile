FROM debian:12
COPY ping /usr/local/bin/ping
RUN chmod 4755 /usr/local/bin/ping && setcap cap_net_raw+ep /usr/bin/tcpdump
RUN chmod u+s /usr/bin/find
USER nobody
ENTRYPOINT ["/usr/local/bin/ping"]
# expect: base-image 1 medium "debian:12"
# expect: privilege 3 high "chmod 4755 sets setuid/setgid on /usr/local/bin/ping"
# expect: privilege 3 high "setcap cap_net_raw+ep /usr/bin/tcpdump"
# expect: privilege 4 high "chmod u+s sets setuid/setgid on /usr/bin/find"
# expect: entrypoint 6 medium "written by the COPY at line 2"
# expect: privilege 5 info "USER nobody"
# expect-count: 6
# expect-ids: VR102-87c07c06b3 VR508-778272f51d VR509-90aca1e46d VR508-5425ccda39 VR501-7b1ab0114a VR401-d320cd0b9f

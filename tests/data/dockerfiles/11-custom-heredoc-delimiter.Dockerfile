FROM fedora:40
RUN <<INSTALL_SCRIPT bash
dnf install -y httpd-2.4.58 mod_ssl
dnf clean all
INSTALL_SCRIPT
RUN dnf install -y --nogpgcheck https://example.com/custom.rpm
EXPOSE 443
CMD ["/usr/sbin/httpd", "-DFOREGROUND"]
# expect: base-image 1 medium "fedora:40"
# expect: package-install 2 medium "not pinned to a version: mod_ssl"
# expect: package-install 6 high "signature checks weakened by --nogpgcheck"
# expect: entrypoint 8 low "which comes from the base image"
# expect: privilege 0 medium "no USER"
# expect-count: 5
# expect-ids: VR102-72efeeb9cf VR201-8a5920387f VR201-1c1318893a VR401-09293a0ade VR503-518b203e19

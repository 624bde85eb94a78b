# Base image for building Yocto images (the example of the post Vouch started from)
FROM ubuntu:14.04

RUN apt-get -qq --yes update && \
    apt-get -qq --yes install gawk wget git-core diffstat unzip \
    && apt-get clean && \
    rm -rf /var/lib/apt/lists/* /tmp/* /var/tmp/*

RUN wget -O /usr/local/bin/dumb-init https://github.com/Yelp/dumb-init/releases/download/v1.1.3/dumb-init_1.1.3_amd64
RUN chmod +x /usr/local/bin/dumb-init
# Runs "/usr/bin/dumb-init -- /my/script --with --args"
ENTRYPOINT ["/usr/bin/dumb-init", "--"]

RUN groupadd --gid 1000 buildgroup
RUN useradd --home-dir /var/build -s /bin/bash \
        --non-unique --uid 1000 --gid 1000 --groups sudo builduser
WORKDIR /var/build
RUN echo '%sudo ALL=(ALL) NOPASSWD:ALL' >> /etc/sudoers
USER builduser
# expect: base-image 2 medium "ubuntu:14.04: tag only"
# expect: package-install 4 medium "not pinned to a version: gawk, wget, git-core, diffstat, unzip"
# expect: download 9 high "to /usr/local/bin/dumb-init: not verified"
# expect: entrypoint 12 high "no instruction creates that path: line 9 wrote /usr/local/bin/dumb-init"
# expect: privilege 15 high "builduser membership of sudo"
# expect: privilege 18 high "/etc/sudoers with NOPASSWD"
# expect: privilege 19 info "runs as USER builduser"
# expect-count: 7
# expect-ids: VR102-2ad65b619e VR201-ba6011e821 VR301-55845e3f5e VR401-0e05fd2405 VR504-b514b5ab63 VR505-86fbfb4691 VR501-5237d4e50b

FROM ubuntu:22.04
RUN apt-get update && apt-get install -y sudo
RUN adduser --disabled-password --gecos '' dev && adduser dev sudo
RUN echo 'dev ALL=(ALL) NOPASSWD:ALL' | tee /etc/sudoers.d/dev
RUN echo 'dev:changeme' | chpasswd
USER dev
# expect: base-image 1 medium "ubuntu:22.04"
# expect: package-install 2 medium "not pinned to a version: sudo"
# expect: privilege 2 medium "installs sudo"
# expect: privilege 3 high "adduser gives dev membership of a privileged group"
# expect: privilege 4 high "edits /etc/sudoers.d/dev with NOPASSWD"
# expect: privilege 5 high "chpasswd sets a password"
# expect: privilege 6 info "USER dev"
# expect-count: 7
# expect-ids: VR102-720263db09 VR201-526f0b1470 VR203-8052425895 VR504-b3d6c98138 VR505-7b64e18c01 VR507-6f6217f11c VR501-bd7d4b19cf

FROM ubuntu:24.04
RUN apt-get update && apt-get install -y gnupg=2.4.4-2ubuntu17 curl=8.5.0-2ubuntu10
RUN curl -fsSL https://download.docker.com/linux/ubuntu/gpg | gpg --dearmor -o /usr/share/keyrings/docker.gpg
RUN echo "deb [signed-by=/usr/share/keyrings/docker.gpg] https://download.docker.com/linux/ubuntu noble stable" > /etc/apt/sources.list.d/docker.list
RUN add-apt-repository ppa:deadsnakes/ppa
RUN apt-get update && apt-get install -y --allow-unauthenticated docker-ce-cli
USER 1001
# expect: base-image 1 medium "ubuntu:24.04"
# expect: package-install 2 low "installs gnupg=2.4.4-2ubuntu17, curl=8.5.0-2ubuntu10"
# expect: download 3 high "piped into gpg, not verified"
# expect: package-install 3 high "installs a signing key at /usr/share/keyrings/docker.gpg"
# expect: package-install 4 high "writes package sources or keys: /etc/apt/sources.list.d/docker.list"
# expect: package-install 5 high "adds the apt repository ppa:deadsnakes/ppa"
# expect: package-install 6 high "signature checks weakened by --allow-unauthenticated"
# expect: privilege 7 info "USER 1001"
# expect-count: 8
# expect-ids: VR102-f08072ffdd VR201-50c4b91cd1 VR301-f79611d2d4 VR202-972238d7c4 VR202-842b84fd59 VR202-cab3e5474f VR201-99e45f4518 VR501-9c3d9fa12e

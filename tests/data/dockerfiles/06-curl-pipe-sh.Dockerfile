FROM ubuntu
RUN apt-get update && apt-get install -y curl
RUN curl -fsSL https://deb.nodesource.com/setup_20.x | bash -
RUN curl https://sh.rustup.rs -sSf | sh -s -- -y
CMD ["bash"]
# expect: base-image 1 high "ubuntu: no tag or latest"
# expect: package-install 2 medium "not pinned to a version: curl"
# expect: download 3 high "piped straight into bash"
# expect: download 4 high "piped straight into sh"
# expect: entrypoint 5 low "CMD runs bash"
# expect: privilege 0 medium "no USER"
# expect-count: 6
# expect-ids: VR103-48223f3358 VR201-fd6fad66ed VR301-d8c1f66124 VR301-ef775d2e0a VR401-df098536cd VR503-518b203e19

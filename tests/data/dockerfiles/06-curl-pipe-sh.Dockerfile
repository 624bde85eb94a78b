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

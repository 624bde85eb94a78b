from centos:7
run yum install -y epel-release && yum install -y nginx-1.20.1
run yum-config-manager --add-repo https://download.example.com/example.repo
entrypoint nginx -g "daemon off;"
# expect: base-image 1 medium "centos:7"
# expect: package-install 2 medium "not pinned to a version: epel-release"
# expect: package-install 2 low "installs nginx-1.20.1"
# expect: package-install 3 high "adds a yum repository https://download.example.com/example.repo"
# expect: entrypoint 4 low "ENTRYPOINT runs nginx (shell form"
# expect: privilege 0 medium "no USER"
# expect-count: 6
# expect-ids: VR102-cd7c6f1743 VR201-048491940c VR201-1a2398c179 VR202-df2d1ace6b VR401-31a387ec75 VR503-518b203e19

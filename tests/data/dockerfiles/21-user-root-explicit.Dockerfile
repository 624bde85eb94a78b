FROM nginx:1.27
RUN rm /etc/nginx/conf.d/default.conf
COPY nginx.conf /etc/nginx/nginx.conf
USER root
# expect: base-image 1 medium "nginx:1.27"
# expect: privilege 4 medium "runs as root (USER root)"
# expect-count: 2
# expect-ids: VR102-20c9f5cff2 VR502-78476d77f4

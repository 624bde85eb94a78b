# syntax=docker/dockerfile:1.4
FROM python:3.12-slim
RUN <<EOT
set -e
pip install --no-cache-dir flask gunicorn==21.2.0
wget -q https://example.com/models.tar.gz
EOT
COPY <<-CONF /etc/app.conf
	listen = 0.0.0.0
CONF
CMD gunicorn app:app
# expect: base-image 2 medium "python:3.12-slim"
# expect: package-install 3 medium "not pinned to a version: flask"
# expect: download 3 high "models.tar.gz to models.tar.gz: not verified"
# expect: entrypoint 11 low "CMD runs gunicorn (shell form"
# expect: privilege 0 medium "no USER"
# expect: base-image 1 medium "# syntax= (the front end that reads this Dockerfile) docker/dockerfile:1.4"
# expect-count: 6
# expect-ids: VR102-7ee08c67e1 VR102-a91476e4b8 VR201-e5a10dc37e VR301-2ecf3dc4cd VR401-9d4f5abd12 VR503-518b203e19

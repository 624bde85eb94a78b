FROM python:3.11-alpine
ARG http_proxy
ARG GITHUB_TOKEN
ENV AWS_SECRET_ACCESS_KEY=abc123
ENV API_URL=https://api.example.com
ENV HTTPS_PROXY=http://proxy.corp:3128
RUN pip install --no-cache-dir -r requirements.txt
CMD ["python", "-m", "app"]
# expect: base-image 1 medium "python:3.11-alpine"
# expect: secret 2 medium "ARG http_proxy passes a proxy"
# expect: secret 3 medium "ARG GITHUB_TOKEN looks like a credential"
# expect: secret 4 high "ENV AWS_SECRET_ACCESS_KEY looks like a credential and has a value"
# expect: secret 6 medium "ENV HTTPS_PROXY passes a proxy"
# expect: package-install 7 medium "pip installs -r requirements.txt"
# expect: entrypoint 8 low "CMD runs python"
# expect: privilege 0 medium "no USER"
# expect-count: 8
# expect-ids: VR102-cb61797770 VR601-a7821179b4 VR602-d0705c49ff VR602-705edae6c1 VR601-45b9ded018 VR201-0a3c75d2f8 VR401-4b3bd48683 VR503-518b203e19

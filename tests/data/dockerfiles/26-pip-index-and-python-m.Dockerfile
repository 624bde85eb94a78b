FROM python:3.12@sha256:3333333333333333333333333333333333333333333333333333333333333333
RUN python -m pip install --extra-index-url https://pypi.internal.example/simple internal-lib==2.0
RUN python3 -m pip install requests
ENTRYPOINT python app.py
# expect: base-image 1 low "pinned by digest"
# expect: package-install 2 high "from https://pypi.internal.example/simple"
# expect: package-install 3 medium "not pinned to a version: requests"
# expect: entrypoint 4 low "ENTRYPOINT runs python (shell form"
# expect: privilege 0 medium "no USER"
# expect-count: 5
# expect-ids: VR101-138ad2d3df VR201-96156ba19e VR201-5470d907ed VR401-cdea510454 VR503-518b203e19

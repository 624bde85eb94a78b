ARG BASE
FROM $BASE
USER app
# expect: code 2 high "the base image comes from build argument BASE (no default)"
# expect-count: 3
# expect-ids: VR103-3f5d83ee3d VR703-134aa7d404 VR501-e064bac1a6

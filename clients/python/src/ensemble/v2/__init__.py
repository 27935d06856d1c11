"""Generated from proto/ensemble/v2/*.proto by deploy/generate-protos.sh: do not edit the *_pb2 files."""

#!/usr/bin/env bash
# Regenerates the code committed from proto/ensemble/v2/*.proto:
#   Swift   Sources/Ensemble/Wire/Proto/*.pb.swift (EncoderApp's in Sources/EncoderApp/Proto/)
#           by protoc-gen-swift of apple/swift-protobuf 1.39.0, the version Package.swift uses;
#   Python  clients/python/src/ensemble/v2/*_pb2.py
#           by the protoc of grpcio-tools GRPCIO_TOOLS, whose protobuf runtime clients/python pins.
# The plugin is built once, into .build-protoc/ (not in CI: generated code is committed);
# protoc comes in a venv at .build-protoc/venv. Run after changing a .proto, then commit all.
#   deploy/generate-protos.sh          # regenerate
#   deploy/generate-protos.sh --check  # fail when the committed code is not what the .proto files give
set -euo pipefail
cd "$(dirname "$0")/.."
SWIFT_PROTOBUF=1.39.0
GRPCIO_TOOLS=1.85.1
work=.build-protoc
mkdir -p "$work"

plugin=$work/swift-protobuf/.build/release/protoc-gen-swift
if [ ! -x "$plugin" ]; then
    echo "building protoc-gen-swift $SWIFT_PROTOBUF (once)"
    rm -rf "$work/swift-protobuf"
    git clone -q --depth 1 --branch "$SWIFT_PROTOBUF" https://github.com/apple/swift-protobuf "$work/swift-protobuf"
    swift build -c release --package-path "$work/swift-protobuf" --product protoc-gen-swift >/dev/null
fi
if [ ! -x "$work/venv/bin/python" ] || ! "$work/venv/bin/python" -c "import grpc_tools" 2>/dev/null; then
    python3 -m venv "$work/venv"
    "$work/venv/bin/pip" install -q "grpcio-tools==$GRPCIO_TOOLS"
fi
protoc() { "$work/venv/bin/python" -m grpc_tools.protoc -I proto "$@"; }

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
mkdir -p "$out/swift-core" "$out/swift-app" "$out/python"
core=(proto/ensemble/v2/{common,membership,control,client,system}.proto)
app=(proto/ensemble/v2/encoder_app.proto)
# Public types, one file per .proto; the app's file finds the core files' types in module Ensemble.
for file in "${core[@]}"; do
    echo "mapping { module_name: \"Ensemble\" proto_file_path: \"${file#proto/}\" }"
done > "$out/mapping.asciipb"
swift=(--plugin "protoc-gen-swift=$plugin" --swift_opt=Visibility=Public)
protoc "${swift[@]}" --swift_out="$out/swift-core" "${core[@]}"
protoc "${swift[@]}" --swift_opt=ProtoPathModuleMappings="$out/mapping.asciipb" --swift_out="$out/swift-app" "${app[@]}"
protoc --python_out="$out/python" --pyi_out="$out/python" "${core[@]}" "${app[@]}"

place() { # FROM-DIR TO-DIR: the generated files, flattened
    local from=$1 to=$2
    if [ "${CHECK:-}" = 1 ]; then
        diff -r <(cd "$from" && find . -type f | sort | xargs cat) <(cd "$to" && find . -type f -name '*pb*' | sort | xargs cat) >/dev/null \
            || { echo "$to is not what the .proto files give: run deploy/generate-protos.sh" >&2; exit 1; }
        return
    fi
    mkdir -p "$to"
    find "$to" -maxdepth 1 -type f -name '*pb*' -delete
    cp -r "$from"/. "$to"/
}
[ "${1:-}" = --check ] && CHECK=1
place "$out/swift-core/ensemble/v2" Sources/Ensemble/Wire/Proto
place "$out/swift-app/ensemble/v2" Sources/EncoderApp/Proto
place "$out/python/ensemble/v2" clients/python/src/ensemble/v2
[ "${CHECK:-}" = 1 ] && echo "generated code is up to date" || echo "generated code written"

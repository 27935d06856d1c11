#!/usr/bin/env bash
# Fuzzes the wire decoders (envelopes, version refusals, payloads: every control
# request and reply, updates, heartbeats, actor mail), and the convention protocol's leader and member logic with
# what they decode, with libFuzzer and AddressSanitizer, for a bounded time.
#
#   deploy/fuzz.sh [SECONDS] [-- LIBFUZZER_FLAGS...]   run (default 60 s)
#   deploy/fuzz.sh --update-corpus [SECONDS]           run, then merge the new finds into the corpus
#   deploy/fuzz.sh --write-seeds                       regenerate the corpus's seed files
#
# The committed corpus Tests/Corpus/wire is read, never written (except by
# --update-corpus and --write-seeds); new inputs go to Fuzz/.build/corpus and
# crashing ones to Fuzz/.build/artifacts. `swift test` replays the corpus.
set -euo pipefail
cd "$(dirname "$0")/.."

corpus=Tests/Corpus/wire
scratch=Fuzz/.build/corpus
artifacts=Fuzz/.build/artifacts
seconds=60
update=0
extra=()
while [ $# -gt 0 ]; do
    case "$1" in
        --update-corpus) update=1 ;;
        --write-seeds)
            # The seeds are built by a unit test from the runtime's own types, so they stay valid.
            ENSEMBLE_WRITE_CORPUS=1 swift test --filter CorpusReplayTests/everySeedDoesWhatItsNameSays
            exit ;;
        --) shift; extra=("$@"); break ;;
        *[!0-9]*|'') echo "usage: $0 [--update-corpus] [SECONDS] [-- LIBFUZZER_FLAGS...] | --write-seeds" >&2; exit 2 ;;
        *) seconds=$1 ;;
    esac
    shift
done

# The main package is a path dependency of Fuzz/, and SwiftPM misses a source file added to it
# since its last build plan (the build then fails): plan afresh each time, which takes a second.
rm -f Fuzz/.build/release.yaml
swift build --package-path Fuzz -c release --product WireFuzzer -Xswiftc -sanitize=fuzzer,address
fuzzer="$(swift build --package-path Fuzz -c release --show-bin-path)/WireFuzzer"
mkdir -p "$scratch" "$artifacts"

# Swift seeds its hashing per process; a fixed seed keeps coverage the same from run to run.
export SWIFT_DETERMINISTIC_HASHING=1
# A trap is libFuzzer's to report (and its input to save): Swift's backtracer, under the
# sanitizer, reports a crash of its own and can leave its process behind.
export SWIFT_BACKTRACE=enable=no
# Every committed input first, whole (fuzzing cuts inputs to -max_len): a regression fails
# here, a slow one too (the large inputs take milliseconds since their bug was fixed).
if ! "$fuzzer" -runs=0 -timeout=5 -artifact_prefix="$artifacts/" "$corpus" > Fuzz/.build/replay.log 2>&1; then
    grep -v '^Running: \|^Executed ' Fuzz/.build/replay.log >&2
    echo "a committed input fails (above; whole log in Fuzz/.build/replay.log)" >&2
    exit 1
fi
echo "replayed $(ls "$corpus" | wc -l) committed inputs"
"$fuzzer" "$scratch" "$corpus" -dict=Fuzz/wire.dict -max_len=4096 -max_total_time="$seconds" -timeout=10 \
    -artifact_prefix="$artifacts/" -print_final_stats=1 ${extra[@]+"${extra[@]}"}

if [ "$update" = 1 ]; then
    # Only inputs that add coverage to what the corpus already reaches are copied in.
    "$fuzzer" -merge=1 "$corpus" "$scratch" -dict=Fuzz/wire.dict
fi

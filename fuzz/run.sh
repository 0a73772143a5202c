#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60); prints each one's last libFuzzer
# stats line. Needs the nightly toolchain; installs cargo-fuzz if it is missing.
#
#   fuzz/run.sh [SECONDS]             all targets
#   FUZZ_TARGETS="wire" fuzz/run.sh   some of them
#
# Environment: FUZZ_SANITIZER (default none: lrotop has no unsafe code, and without
# AddressSanitizer the targets run several times faster; set it to address to use it),
# FUZZ_ARGS (extra libFuzzer flags). New corpus entries go to fuzz/corpus/<target>
# (ignored by git), crashes to fuzz/artifacts/<target>; fuzz/seeds/<target> and
# fuzz/regressions/<target> are read as seeds.
set -euo pipefail

seconds="${1:-60}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]]; then
    echo "usage: $0 [SECONDS]" >&2
    exit 2
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "cargo-fuzz is missing: installing it (a few minutes)" >&2
    cargo install cargo-fuzz --locked
fi

sanitizer="${FUZZ_SANITIZER:-none}"
targets="${FUZZ_TARGETS:-$(cargo +nightly fuzz list)}"
mkdir -p logs
status=0
for t in $targets; do
    dirs=("corpus/$t")
    mkdir -p "corpus/$t"
    for extra in "seeds/$t" "regressions/$t"; do
        [[ -d "$extra" ]] && dirs+=("$extra")
    done
    log="logs/$t.log"
    echo "== $t: ${seconds}s" >&2
    # -a: debug assertions and overflow checks on, so an overflow is a crash, not a wrap.
    if cargo +nightly fuzz run -a --sanitizer "$sanitizer" "$t" "${dirs[@]}" -- \
        -max_total_time="$seconds" -print_final_stats=1 ${FUZZ_ARGS:-} >"$log" 2>&1; then
        result=ok
    else
        result="FAILED (see fuzz/$log and fuzz/artifacts/$t)"
        status=1
    fi
    last="$(grep -aE '^#[0-9]+' "$log" | tail -n 1 || true)"
    corpus="$(find "corpus/$t" -type f | wc -l)"
    echo "$t: $result; last stats: ${last:-none}; corpus $corpus files"
done
exit "$status"

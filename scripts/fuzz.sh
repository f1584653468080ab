#!/usr/bin/env bash
# Fuzzes the engine with cargo-fuzz (libFuzzer, nightly) for a bounded time per target:
#   load      any workflow.toml + rules.rhai, and any export file: no panic, every
#             diagnostic inside its file;
#   evaluate  any form over a shipped workflow's fields, at every step: no panic;
#   actions   any sequence of actions by the case directory's people on a shipped
#             workflow: the state machine's invariants after every step;
#   rules     scripts made of the shapes that once aborted or starved the server (values
#             nested in themselves, slow string loops, endless loops) anywhere in a
#             script: on a small stack, no panic, no overflow, no call far past its budget.
# Usage: scripts/fuzz.sh [seconds-per-target] (default 300; scripts/test.sh runs 30).
# The build, corpora and crashing inputs live under the cargo target dir
# ($CARGO_TARGET_DIR or target/): fuzz/, fuzz-corpus/<target>/, fuzz-artifacts/<target>/.
# Exits non-zero if any target crashed; each crash should become a test in engine/tests/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-300}"

source scripts/tools.sh
ensure_cargo_fuzz
target=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
fuzz() { cargo +nightly fuzz "$1" --sanitizer none --target-dir "$target/fuzz" "${@:2}"; }
targets=(load evaluate actions rules)

fuzz build

# Seeds for the loader: each shipped workflow as workflow.toml NUL rules.rhai, and as an
# export file (see fuzz/fuzz_targets/load.rs).
seeds="$target/fuzz-corpus/load"
mkdir -p "$seeds"
for dir in workflows/*/; do
    name=$(basename "$dir")
    { cat "$dir/workflow.toml"; printf '\0'; cat "$dir/rules.rhai"; } >"$seeds/seed-$name"
    {
        printf 'format = "kexie-workflow/1"\nkey = "%s"\n\n[files]\n' "$name"
        for file in workflow.toml rules.rhai; do
            printf '"%s" = """\n' "$file"
            sed -e 's/\\/\\\\/g' -e 's/"""/\\"""/g' "$dir/$file"
            printf '"""\n'
        done
    } >"$seeds/seed-$name.kexie.toml"
done

crashed=()
for t in "${targets[@]}"; do
    corpus="$target/fuzz-corpus/$t" artifacts="$target/fuzz-artifacts/$t"
    mkdir -p "$corpus" "$artifacts"
    log="$target/fuzz-artifacts/$t.log"
    printf '%-9s %ss … ' "$t" "$seconds"
    if fuzz run "$t" "$corpus" -- -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$artifacts/" >"$log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
        speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
        echo "ok: $runs runs, $speed/s, corpus $(ls "$corpus" | wc -l)"
    else
        echo "CRASH (log: $log)"
        grep -E '^(thread .* panicked|==[0-9]+== ERROR|SUMMARY)|^Test unit written to|panicked at' "$log" | head -5 | sed 's/^/    /' || true
        crashed+=("$t")
    fi
done
if [ ${#crashed[@]} -gt 0 ]; then
    echo "crashed: ${crashed[*]}; reproduce with: cargo +nightly fuzz run --sanitizer none --target-dir $target/fuzz <target> <file>"
    exit 1
fi

#!/usr/bin/env bash
# Runs the engine's benchmarks (engine/benches/rules.rs) and prints the median of each.
# Extra arguments go to criterion, e.g. `scripts/bench.sh evaluate/` to run a subset.
# Results: see BENCHMARKS.md for the budgets and the last figures.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

cargo bench -p kexie-engine --bench rules -- "$@"

report="$(pwd)/target/criterion"
echo
echo "Criterion's data is in ${report}/<group>/<bench>/new/ (estimates.json: median.point_estimate in ns)."
if [ -f "${report}/report/index.html" ]; then
    echo "HTML report: ${report}/report/index.html"
fi

if command -v jq >/dev/null 2>&1; then
    echo
    printf '%-60s %12s\n' "benchmark" "median"
    find "${report}" -path '*/new/estimates.json' | sort | while read -r est; do
        dir="$(dirname "${est}")"
        id="$(jq -r '.full_id' "${dir}/benchmark.json")"
        ns="$(jq -r '.median.point_estimate' "${est}")"
        printf '%-60s %12s\n' "${id}" "$(awk -v ns="${ns}" 'BEGIN {
            if (ns >= 1e6) printf "%.2f ms", ns / 1e6; else printf "%.1f µs", ns / 1e3 }')"
    done
fi

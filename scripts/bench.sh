#!/usr/bin/env bash
# Runs the benchmarks; see BENCHMARKS.md for the budgets and the last figures.
#   scripts/bench.sh                everything: the engine's, then the server's
#   scripts/bench.sh engine [filter] only the engine's (engine/benches/rules.rs, criterion),
#                                   and prints the median of each; a filter runs a subset
#   scripts/bench.sh evaluate/      the same: any other argument is a criterion filter
#   scripts/bench.sh server         only the server's (server/benches/actions.rs): approvals
#                                   per second and latency over loopback, on SQLite, then on
#                                   a throwaway PostgreSQL (scripts/postgres.sh)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

engine() {
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
}

server() {
    # The bench starts the release `kexie` binary (cargo builds it for the bench); build
    # first so that compiling does not run beside the measurement.
    cargo bench -p kexie-server --bench actions --no-run
    echo
    echo "== server on SQLite"
    cargo bench -p kexie-server --bench actions -- sqlite
    echo
    echo "== server on PostgreSQL"
    # shellcheck source=scripts/postgres.sh
    source scripts/postgres.sh
    trap stop_postgres EXIT
    start_postgres
    KEXIE_BENCH_POSTGRES_URL="${KEXIE_TEST_POSTGRES_URL}" cargo bench -p kexie-server --bench actions -- postgres
}

case "${1:-}" in
    server) server ;;
    engine) engine "${@:2}" ;;
    "") engine && echo && server ;;
    *) engine "$@" ;;
esac

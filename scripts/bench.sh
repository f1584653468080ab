#!/usr/bin/env bash
# Runs the benchmarks; see BENCHMARKS.md for the budgets and the last figures.
#   scripts/bench.sh                everything but the soak: the engine's, the server's, then the
#                                   widget's
#   scripts/bench.sh engine [filter] only the engine's (engine/benches/rules.rs, criterion),
#                                   and prints the median of each; a filter runs a subset
#   scripts/bench.sh evaluate/      the same: any other argument is a criterion filter
#   scripts/bench.sh server         only the server's (server/benches/actions.rs): approvals
#                                   per second and latency over loopback, on SQLite, then on
#                                   a throwaway PostgreSQL (scripts/postgres.sh)
#   scripts/bench.sh reports        only the reports' (server/benches/reports.rs): 100,000
#                                   generated instances on SQLite, each report asked 30 times
#   scripts/bench.sh widget         only the widget's (benches/widget.mjs): builds dist/ and the
#                                   release server, prints the payload (and, with twiggy
#                                   installed, the wasm by crate), the time to an interactive
#                                   form and per keystroke in headless Chromium
#   scripts/bench.sh soak           only the soak (server/benches/soak.rs), not part of the
#                                   above: 100 simulated users of mixed traffic for 10 minutes
#                                   on SQLite, then 10 on a throwaway PostgreSQL; the server's
#                                   memory and latency at the start and at the end.
#                                   KEXIE_SOAK_SECS=60 shortens each run to a minute
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

reports() {
    cargo bench -p kexie-server --bench reports --no-run
    echo
    echo "== reports over 100,000 instances on SQLite"
    cargo bench -p kexie-server --bench reports
}

soak() {
    # As for the server part: build first, so that compiling does not run beside the soak.
    cargo bench -p kexie-server --bench soak --no-run
    echo
    echo "== soak on SQLite, ${KEXIE_SOAK_SECS:-600} s"
    # A failed SQLite soak still lets the PostgreSQL one run (20 minutes in all); the part
    # fails at the end.
    local failed=0
    cargo bench -p kexie-server --bench soak -- sqlite || failed=1
    echo
    echo "== soak on PostgreSQL, ${KEXIE_SOAK_SECS:-600} s"
    # shellcheck source=scripts/postgres.sh
    source scripts/postgres.sh
    trap stop_postgres EXIT
    start_postgres
    KEXIE_BENCH_POSTGRES_URL="${KEXIE_TEST_POSTGRES_URL}" cargo bench -p kexie-server --bench soak -- postgres || failed=1
    return "${failed}"
}

widget() (
    # A subshell: its EXIT trap removes the work folder and leaves the caller's traps alone.
    source scripts/tools.sh
    target="${CARGO_TARGET_DIR:-target}"
    # What is measured is dist/ as scripts/build.sh makes it, served by the release server.
    scripts/build.sh
    cargo build --locked --release -p kexie-server
    cargo build --locked --release -p kexie-engine --example generate_workflow
    ensure_chromium

    work="$(mktemp -d)"
    trap 'rm -rf "${work}"' EXIT
    # The shipped workflows and the engine bench's 300-field one, for `kexie serve --workflows`.
    mkdir -p "${work}/workflows"
    cp -r workflows/* "${work}/workflows/"
    "${target}/release/examples/generate_workflow" "${work}/workflows/generated-bench" "${work}/generated-form.json"

    # The wasm's size by crate: the same build bound with its names kept and shrunk the same
    # way (wasm-opt -g keeps the names), for twiggy (cargo install twiggy).
    twiggy="$(command -v twiggy || echo "${HOME}/.cargo/bin/twiggy")"
    if [ -x "${twiggy}" ]; then
        wasm-bindgen --target web --no-typescript --keep-debug --out-dir "${work}/names" \
            "${target}/wasm32-unknown-unknown/release-small/kexie_widget.wasm"
        node_modules/.bin/wasm-opt -Oz -g --enable-bulk-memory --enable-nontrapping-float-to-int \
            "${work}/names/kexie_widget_bg.wasm" -o "${work}/names.wasm"
        "${twiggy}" top --format csv "${work}/names.wasm" >"${work}/twiggy.csv"
        export KEXIE_BENCH_TWIGGY="${work}/twiggy.csv" KEXIE_BENCH_NAMED_WASM="${work}/names.wasm"
    else
        echo "twiggy not found: no table by crate (cargo install twiggy)"
    fi

    echo
    KEXIE_BIN="${target}/release/kexie" KEXIE_BENCH_WORKFLOWS="${work}/workflows" \
        KEXIE_BENCH_FORM="${work}/generated-form.json" node benches/widget.mjs
)

case "${1:-}" in
    server) server ;;
    reports) reports ;;
    soak) soak ;;
    engine) engine "${@:2}" ;;
    widget) widget ;;
    "") engine && echo && server && echo && reports && echo && widget ;;
    *) engine "$@" ;;
esac

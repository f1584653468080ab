#!/usr/bin/env bash
# Builds the widget into dist/: kexie-widget for wasm32 (release-small profile), bound by
# the pinned wasm-bindgen-cli for ES modules, shrunk by wasm-opt -Oz, with its stylesheet
# and .gz/.br copies that `kexie serve` sends when accepted, all in dist/build-<hash>/;
# beside it the loader hosts import (element.js). The rule editor goes to editor/ in the
# build the same way, with CodeMirror bundled by esbuild; the widget loads it only for the
# editor view. Apache ECharts goes to charts/, for the reports view alone.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh

ensure_wasm_target
ensure_wasm_bindgen
ensure_node_modules

target="${CARGO_TARGET_DIR:-target}"
# Two builds, not one: built together, the editor's `kexie-widget` without its `element`
# feature would be unified with the widget's own.
cargo build --locked --profile release-small --target wasm32-unknown-unknown -p kexie-widget
cargo build --locked --profile release-small --target wasm32-unknown-unknown -p kexie-editor

# Binds a crate's wasm into `out` and shrinks it.
bind() {
    local name="$1" out="$2"
    wasm-bindgen --target web --no-typescript --out-dir "$out" \
        "$target/wasm32-unknown-unknown/release-small/$name.wasm"
    node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
        "$out/${name}_bg.wasm" -o "$out/${name}_bg.opt.wasm"
    mv "$out/${name}_bg.opt.wasm" "$out/${name}_bg.wasm"
}

# Every file but the loader goes in build-<hash of them all>/, which the server lets
# browsers keep for good; element.js (and kexie_widget.js, which re-exports it) are the
# names hosts use, and say which build to load.
build=dist.tmp/build
rm -rf dist.tmp && mkdir -p "$build/editor"
bind kexie_widget "$build"
bind kexie_editor "$build/editor"
cp frontend/assets/kexie.css "$build/"
cp editor/assets/editor.css "$build/editor/"
node_modules/.bin/esbuild editor/js/codemirror.mjs --bundle --format=esm --minify --log-level=warning \
    --outfile="$build/editor/codemirror.js"
# Apache ECharts for the reports view only (views/chart.rs loads it on the first chart).
node_modules/.bin/esbuild frontend/js/charts.mjs --bundle --format=esm --minify --log-level=warning \
    --outfile="$build/charts/charts.js"
hash="$(cd "$build" && find . -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-12)"
mv "$build" "dist.tmp/build-$hash"
sed "s/@BUILD@/$hash/" frontend/assets/element.js >dist.tmp/element.js
printf '%s\n' '// The module by its documented name: the loader, ready once imported (see element.js).' \
    'export * from "./element.js";' 'export { default } from "./element.js";' >dist.tmp/kexie_widget.js

# Precompressed copies, so the server never compresses the same bytes twice.
find dist.tmp -type f \( -name '*.js' -o -name '*.wasm' -o -name '*.css' \) | while read -r f; do
    gzip -9 -k -f "$f"
    node -e 'const z=require("zlib"),fs=require("fs");const f=process.argv[1];
        fs.writeFileSync(f+".br",z.brotliCompressSync(fs.readFileSync(f),{params:{[z.constants.BROTLI_PARAM_QUALITY]:11}}))' "$f"
done

# The two builds before this one stay: a page that loaded their loader may still ask for
# their files (the editor, the charts) after this build replaces it.
if [ -d dist ]; then
    find dist -maxdepth 1 -name 'build-*' ! -name "build-$hash" -printf '%T@ %p\n' | sort -rn |
        head -n 2 | cut -d' ' -f2- | while read -r old; do mv "$old" dist.tmp/; done
fi
rm -rf dist && mv dist.tmp dist
b="dist/build-$hash"
echo "  dist/element.js loads $b"
wc -c "$b/kexie_widget_bg.wasm" "$b/kexie_widget_bg.wasm.gz" "$b/kexie_widget_bg.wasm.br" \
    "$b/editor/kexie_editor_bg.wasm.gz" "$b/editor/codemirror.js.gz" "$b/charts/charts.js.gz" | sed 's/^/  /'

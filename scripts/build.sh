#!/usr/bin/env bash
# Builds the widget into dist/: kexie-widget for wasm32 (release-small profile), bound by
# the pinned wasm-bindgen-cli for ES modules, shrunk by wasm-opt -Oz, with its stylesheet,
# the custom-element loader, and .gz/.br copies that `kexie serve` sends when accepted.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh

ensure_wasm_target
ensure_wasm_bindgen
ensure_node_modules

target="${CARGO_TARGET_DIR:-target}"
cargo build --locked --profile release-small --target wasm32-unknown-unknown -p kexie-widget

rm -rf dist.tmp && mkdir -p dist.tmp
wasm-bindgen --target web --no-typescript --out-dir dist.tmp \
    "$target/wasm32-unknown-unknown/release-small/kexie_widget.wasm"
node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    dist.tmp/kexie_widget_bg.wasm -o dist.tmp/kexie_widget_bg.opt.wasm
mv dist.tmp/kexie_widget_bg.opt.wasm dist.tmp/kexie_widget_bg.wasm
cp frontend/assets/kexie.css frontend/assets/element.js dist.tmp/

# Precompressed copies, so the server never compresses the same bytes twice.
find dist.tmp -type f \( -name '*.js' -o -name '*.wasm' -o -name '*.css' \) | while read -r f; do
    gzip -9 -k -f "$f"
    node -e 'const z=require("zlib"),fs=require("fs");const f=process.argv[1];
        fs.writeFileSync(f+".br",z.brotliCompressSync(fs.readFileSync(f),{params:{[z.constants.BROTLI_PARAM_QUALITY]:11}}))' "$f"
done

rm -rf dist && mv dist.tmp dist
wc -c dist/kexie_widget_bg.wasm dist/kexie_widget_bg.wasm.gz dist/kexie_widget_bg.wasm.br | sed 's/^/  /'

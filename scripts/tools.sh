# Sourced by the scripts: installs, once, what building and testing the widget needs on a
# fresh machine. Each function does nothing when its tool is already in place.

WASM_BINDGEN_VERSION=0.2.130 # must equal the wasm-bindgen crate pinned in frontend/Cargo.toml

ensure_wasm_target() {
    rustup target add wasm32-unknown-unknown >/dev/null
}

# The pinned wasm-bindgen-cli (about 3 minutes to build the first time). Not --locked: its
# lock file wants a dependency version the registry here does not serve.
ensure_wasm_bindgen() {
    if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
        cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
    fi
}

# binaryen (wasm-opt) and playwright-core, exactly as package-lock.json says.
ensure_node_modules() {
    if [ ! -x node_modules/.bin/wasm-opt ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
        npm ci --no-audit --no-fund
    fi
}

# Debian's Chromium and ChromeDriver, CJK fonts so Chinese renders in screenshots, and
# poppler's pdftotext, which reads back the printed records the tests print to PDF.
ensure_chromium() {
    if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] || ! fc-list 2>/dev/null | grep -qi "noto sans cjk" ||
        ! command -v pdftotext >/dev/null; then
        local sudo=""
        [ "$(id -u)" = 0 ] || sudo="sudo"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver fonts-noto-cjk poppler-utils >/dev/null
    fi
}

CARGO_FUZZ_VERSION=0.13.1

# cargo-fuzz (libFuzzer) at its pinned version, and the nightly toolchain it builds with.
ensure_cargo_fuzz() {
    if ! rustup run nightly rustc --version >/dev/null 2>&1; then
        rustup toolchain install nightly --profile minimal
    fi
    if [ "$(cargo fuzz --version 2>/dev/null)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
        cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
    fi
}

# A virtualenv under the cargo target dir ($1) for the servers the native tests run as
# processes of their own: aiosmtpd, the real SMTP server of server/tests/mail.rs.
# Exports KEXIE_TEST_PYTHON, its interpreter.
AIOSMTPD_VERSION=1.4.6
ensure_test_python() {
    local venv="$1/test-venv"
    if ! "$venv/bin/python" -c "import aiosmtpd, sys; sys.exit(aiosmtpd.__version__ != '$AIOSMTPD_VERSION')" 2>/dev/null; then
        rm -rf "$venv"
        python3 -m venv "$venv" || {
            echo "python3 cannot make a virtualenv; on Debian or Ubuntu: apt-get install python3-venv" >&2
            return 1
        }
        "$venv/bin/pip" install --quiet --disable-pip-version-check "aiosmtpd==$AIOSMTPD_VERSION"
    fi
    export KEXIE_TEST_PYTHON="$venv/bin/python"
}

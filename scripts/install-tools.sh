#!/usr/bin/env bash
# Installs the build tools Covenant needs, skipping each one that is already present at the
# pinned version. See ../shared/TOOLCHAIN.md for why each step looks the way it does.
set -euo pipefail

CARGO_LEPTOS_VERSION=0.3.11
WASM_BINDGEN_VERSION=0.2.130
root=$(cd "$(dirname "$0")/.." && pwd)
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '\n==> %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "adding the wasm32 target"
  rustup target add wasm32-unknown-unknown
fi

if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  step "installing cargo-leptos $CARGO_LEPTOS_VERSION (first time only: about 15-25 minutes)"
  # The published lock resolves cargo-util-schemas 0.14.2, which needs a newer rustc; the first
  # install fails on purpose after unpacking the source, which we then patch and install from.
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked >/dev/null 2>&1 || true
  src=$(ls -d "$HOME"/.cargo/registry/src/*/cargo-leptos-"$CARGO_LEPTOS_VERSION" | head -1)
  work=$(mktemp -d)/cargo-leptos
  cp -r "$src" "$work"
  (cd "$work" && cargo update -p cargo-util-schemas --precise 0.14.1)
  (cd /tmp && cargo install --path "$work" --locked --features no_downloads)
  rm -rf "$(dirname "$work")"
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  step "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (first time only: about 5 minutes)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if [ ! -x "$root/end2end/node_modules/.bin/wasm-opt" ] || [ ! -d "$root/end2end/node_modules/@playwright/test" ] \
  || [ ! -d "$root/end2end/node_modules/mailparser" ]; then
  step "installing npm packages (wasm-opt from binaryen, Playwright, axe-core, mailparser, autocannon for the survey benchmark)"
  (cd "$root/end2end" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi

if [ "${1:-}" = --browser ] && ! [ -x /usr/bin/chromium ]; then
  step "installing Chromium from Debian (browser tests)"
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get install -y chromium >/dev/null || { $sudo apt-get update >/dev/null && $sudo apt-get install -y chromium >/dev/null; }
fi

if [ "$(command -v wasm-opt 2>/dev/null)" = /usr/bin/wasm-opt ]; then
  echo "Debian's binaryen is installed: its wasm-opt breaks hydration. Remove it: apt-get remove binaryen" >&2
  exit 1
fi

#!/usr/bin/env bash
# README command 2 (and what CI runs): formatting, the wasm dependency check, unit and
# integration tests on SQLite and PostgreSQL, the release build with its bundle budget, and
# the browser tests in Debian's Chromium. Prints the time of each phase.
set -euo pipefail
source "$(dirname "$0")/env.sh"

export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
BUNDLE_LIMIT_BYTES=$((250 * 1024))
started=$SECONDS
phase_start=$SECONDS
phase() {
  printf '\n==> [%4ds] %s (previous phase took %ds; %s)\n' $((SECONDS - started)) "$*" $((SECONDS - phase_start)) "$(disk_free)"
  phase_start=$SECONDS
}
# CI runs on a machine whose disk also holds the last session's work; a build that fills it
# fails with "No space left on device" mid-link, so each phase prints what is left.
disk_free() { df -Ph . | awk 'NR == 2 { print $4 " free on disk" }'; }
if [ -n "${CI:-}" ]; then
  # A clean checkout builds once: incremental caches would only take disk and speed up
  # nothing.
  export CARGO_INCREMENTAL=0
fi

phase "tools"
scripts/install-tools.sh --browser

phase "formatting, lints and the wasm dependency graph"
cargo fmt --all -- --check
cargo clippy --features ssr --all-targets -- -D warnings
forbidden=$(cargo tree --target wasm32-unknown-unknown --no-default-features --features hydrate --prefix none \
  | grep -E '^(sqlx|argon2|axum|lettre|tower-sessions)[ -]' | sort -u || true)
if [ -n "$forbidden" ]; then
  echo "server-only crates in the browser bundle's dependency graph:" >&2
  echo "$forbidden" >&2
  exit 1
fi

phase "unit and integration tests (SQLite and PostgreSQL at ${TEST_DATABASE_URL%%@*}@…)"
# nextest runs each test in its own process (see .config/nextest.toml); plain cargo test
# where it is not installed.
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --features ssr --profile ci
else
  cargo test --features ssr
fi

phase "release build"
cargo leptos build --release --precompress
node -e '
// The brotli copies the build left (--precompress) are what browsers download.
const fs = require("fs");
const files = ["target/site/pkg/covenant.wasm.br", "target/site/pkg/covenant.js.br"];
let total = 0;
for (const f of files) {
  const size = fs.statSync(f).size;
  console.log(`${f}: ${(size / 1024).toFixed(1)} KB`);
  total += size;
}
const limit = Number(process.argv[1]);
console.log(`browser bundle: ${(total / 1024).toFixed(1)} KB brotli (budget ${(limit / 1024).toFixed(0)} KB)`);
if (total > limit) { console.error("the browser bundle is over budget"); process.exit(1); }
' "$BUNDLE_LIMIT_BYTES"

phase "browser tests (release build, SQLite seeded with seed-demo --seed 1)"
e2e_dir="$root/target/e2e"
rm -rf "$e2e_dir" && mkdir -p "$e2e_dir"
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
export DATABASE_URL="sqlite://$e2e_dir/covenant.db" PUBLIC_URL="http://127.0.0.1:$port" COVENANT_BIND="127.0.0.1:$port"
export LEPTOS_SITE_ROOT="$root/target/site" COVENANT_LOG=warn
# Mail goes to files the portal journey reads back as a mail client would.
export MAIL_DIR="$e2e_dir/mail" E2E_MAIL_DIR="$e2e_dir/mail"
bin="$root/target/release/covenant"
"$bin" seed-demo --seed 1 > "$e2e_dir/seed.txt"
# The first demo investor (the seed prints "e-mail  password  entity") signs in to the portal.
first_investor=$(awk '/^Demo investors/ { found = 1; next } found && NF >= 3 { print; exit }' "$e2e_dir/seed.txt")
E2E_INVESTOR_EMAIL=$(echo "$first_investor" | awk '{ print $1 }')
E2E_INVESTOR_PASSWORD=$(echo "$first_investor" | awk '{ print $2 }')
E2E_INVESTOR_ENTITY=$(echo "$first_investor" | awk '{ $1 = ""; $2 = ""; sub(/^ +/, ""); print }')
export E2E_INVESTOR_EMAIL E2E_INVESTOR_PASSWORD E2E_INVESTOR_ENTITY
printf 'Browser-Test-Admin-2026\n' | "$bin" user add --email e2e.admin@covenant.example --name "E2E 管理员" --role admin
printf 'Browser-Test-Rm-2026\n' | "$bin" user add --email e2e.rm@covenant.example --name "E2E 客户经理" --role rm
"$bin" serve > "$e2e_dir/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
status=0
(cd end2end && BASE_URL="$PUBLIC_URL" npx playwright test) || status=$?
kill $server 2>/dev/null || true
wait $server 2>/dev/null || true
if [ $status -ne 0 ]; then
  echo "browser tests failed; server log:" >&2
  tail -50 "$e2e_dir/server.log" >&2
  exit $status
fi

phase "done"
echo "all checks passed in $((SECONDS - started))s; target/ holds $(du -sh target | cut -f1)"

#!/usr/bin/env bash
# README command 1: installs what is missing, builds the release binary and browser bundle,
# creates ./data/covenant.db with demo data on the first run, and serves the app.
set -euo pipefail
source "$(dirname "$0")/env.sh"

scripts/install-tools.sh
echo "==> building (release; the first build takes several minutes)"
cargo leptos build --release --precompress

export LEPTOS_SITE_ROOT="$root/target/site"
export DATABASE_URL="${DATABASE_URL:-sqlite://data/covenant.db}"
bin="$root/target/release/covenant"
mkdir -p data
if [ ! -f data/demo-sign-ins.txt ] && [[ "$DATABASE_URL" == sqlite://data/covenant.db ]]; then
  echo "==> first run: creating demo data"
  "$bin" seed-demo --seed 1 | tee data/demo-sign-ins.txt
else
  echo "==> demo sign-ins: data/demo-sign-ins.txt"
  cat data/demo-sign-ins.txt 2>/dev/null || true
fi
exec "$bin" serve

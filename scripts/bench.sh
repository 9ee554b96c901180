#!/usr/bin/env bash
# The benchmark (not a test): the release build on the `seed-demo --scale large` data set,
# driven over HTTP from another process. SQLite by default; `scripts/bench.sh postgres` uses
# the database `covenant_bench` on $BENCH_POSTGRES (default postgres://postgres@127.0.0.1:5432).
# The second argument picks what is measured: `pages` (default: pages, boards and moves) or
# `surveys` (survey submissions per second through the real rate limiter, next to /healthz).
# `scripts/bench.sh clean` removes both engines' benchmark data.
set -euo pipefail
source "$(dirname "$0")/env.sh"

engine=${1:-sqlite}
what=${2:-pages}
if [ "$engine" = clean ]; then
  # The large data sets take gigabytes (SQLite file and WAL, PostgreSQL's covenant_bench and
  # its WAL); a machine that also builds the project needs them gone when the runs are done.
  rm -rf target/bench
  psql "${BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432}/postgres" -qc "DROP DATABASE IF EXISTS covenant_bench"
  echo "benchmark data removed"
  exit 0
fi
scripts/install-tools.sh
cargo leptos build --release --precompress
bin="$root/target/release/covenant"
mkdir -p target/bench
if [ "$engine" = postgres ]; then
  server=${BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432}
  psql "$server/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = 'covenant_bench'" | grep -q 1 \
    || psql "$server/postgres" -c "CREATE DATABASE covenant_bench" >/dev/null
  export DATABASE_URL="$server/covenant_bench"
else
  export DATABASE_URL="sqlite://$root/target/bench/covenant.db"
fi
export LEPTOS_SITE_ROOT="$root/target/site" COVENANT_LOG=warn COVENANT_WORKER=false
# Survey runs: every run sends a new survey to the same contacts (no cap between runs), and
# the load generator reports each request's client address as a proxy on this machine.
export SURVEY_MIN_GAP_DAYS=0 TRUSTED_PROXIES=127.0.0.1

"$bin" migrate > /dev/null
if ! [ -f "target/bench/seeded-$engine" ]; then
  echo "==> seeding the large data set ($engine)"
  start=$SECONDS
  "$bin" seed-demo --scale large --seed 1 > /dev/null
  echo "seed-demo --scale large took $((SECONDS - start)) s"
  printf 'Yellow-Crane-Tower-77\n' | "$bin" user add --email bench.runner@covenant.example --name Bench --role admin
  touch "target/bench/seeded-$engine"
fi

port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
export COVENANT_BIND="127.0.0.1:$port" PUBLIC_URL="http://127.0.0.1:$port"
"$bin" serve > target/bench/server.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "$PUBLIC_URL/healthz" >/dev/null && break; sleep 0.2; done
echo "==> $engine, idle RSS $(grep VmRSS /proc/$pid/status | awk '{print $2, $3}')"
if [ "$what" = surveys ]; then
  python3 scripts/bench_surveys.py "$PUBLIC_URL" bench.runner@covenant.example Yellow-Crane-Tower-77 \
    "$DATABASE_URL" target/bench/survey-links.txt
  if [ "$engine" = postgres ]; then
    # Fresh planner statistics for the wave just sent: a server running with autovacuum
    # off (as on our build machines) would otherwise plan the survey tables as empty.
    psql "$DATABASE_URL" -qc ANALYZE
  fi
  # 64 respondents at once by default: a throughput figure needs the server saturated. With
  # 16 the rate is 16 divided by one answer's latency (about 1,500 a second on SQLite), not
  # what the server can take; CONNECTIONS=16 shows that.
  SERVER_PID=$pid node scripts/bench_surveys.mjs "$PUBLIC_URL" \
    target/bench/survey-links.txt "${LINKS:-40000}" "${CONNECTIONS:-64}"
else
  if [ "$engine" = postgres ]; then
    # What autovacuum would have done after the survey runs' writes: without it (as on our
    # build machines) the clients they touched are not all-visible, and every index-only
    # scan of them visits the table too (a searched board: 4.3 ms instead of 2.8).
    psql "$DATABASE_URL" -qc "VACUUM (ANALYZE)"
  fi
  python3 scripts/bench.py "$PUBLIC_URL" bench.runner@covenant.example Yellow-Crane-Tower-77 "${ROUNDS:-300}"
fi
echo "==> RSS after the run $(grep VmRSS /proc/$pid/status | awk '{print $2, $3}')"

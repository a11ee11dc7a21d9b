#!/usr/bin/env bash
# The main job (README "Quick start"): installs, brings up the local stack, runs `migrate`
# (database + seed, topics, schemas), starts the four services (claims twice: its api and its expiry
# worker) and a provider simulator of its own, and waits until each is ready. Then it drives a workload
# through the real pipeline (scripts/main-job/), prints the summary, and keeps everything running until
# Ctrl-C / SIGTERM; it stops what it started. Its last line on exit is the summary's JSON object.
#   MAIN_ORDERS=N           workload size (default 2000)
#   MAIN_EXIT_WHEN_DONE=1   exit after the summary: status 0 only if every check held
#   MAIN_EXIT_WHEN_READY=1  stop everything and exit 0 as soon as all services are ready (CI smoke run)
#   MAIN_PORT_BASE=P        ports P (ingest), P+1 (claims), P+2 (issuer), P+3 (cdc-sync),
#                           P+4 (claims worker), P+5 (provider simulator); default 31140
#   MAIN_DATABASE_URL=url   a database other than the stack's (it is migrated and seeded)
#   KEEP_STACK=1            leave the stack running on exit
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

say() { printf '[main] %s\n' "$*" >&2; }

bash scripts/bootstrap.sh

BASE=${MAIN_PORT_BASE:-31140}
# Process name → port, run mode, worker id. claims-worker is claims' expiry worker + outbox relay.
declare -A PORTS=([ingest]=$BASE [claims]=$((BASE + 1)) [issuer]=$((BASE + 2)) [cdc-sync]=$((BASE + 3)) [claims-worker]=$((BASE + 4)))
declare -A MODES=([ingest]=api [claims]=api [issuer]=worker [cdc-sync]=worker [claims-worker]=worker)
declare -A SOURCES=([ingest]=ingest [claims]=claims [issuer]=issuer [cdc-sync]=cdc-sync [claims-worker]=claims)
declare -A WORKER_IDS=([ingest]=1 [claims]=2 [issuer]=3 [cdc-sync]=4 [claims-worker]=5)
SERVICES=(ingest issuer claims claims-worker cdc-sync)
SIMULATOR_PORT=$((BASE + 5))
SUMMARY_FILE=.stack/main-job/summary.json
pids=()
started_stack=0

# Installed before anything starts, so every exit path (a failed migrate included) stops what
# this run started: the services always, the stack only if this run brought it up.
stop_all() {
  trap - EXIT INT TERM
  if ((${#pids[@]})); then
    say "stopping services"
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  fi
  if [ "$started_stack" = 1 ] && [ "${KEEP_STACK:-0}" != 1 ]; then bash stack/stack.sh down; fi
  # The last line of the run: the workload's summary (scripts/main-job), when it got that far.
  if [ -s "$SUMMARY_FILE" ]; then cat "$SUMMARY_FILE"; fi
}
trap stop_all EXIT
trap 'exit 0' INT TERM

mkdir -p .stack/run .stack/logs .stack/main-job
rm -f "$SUMMARY_FILE"
# Processes left over from a run that was killed (SIGKILL skips the trap) still hold their ports.
for svc in "${SERVICES[@]}" provider-simulator; do
  pidfile=".stack/run/main-$svc.pid"
  if [ -f "$pidfile" ] && pid=$(cat "$pidfile") && kill -0 "$pid" 2>/dev/null \
     && grep -qE "services/.*/src/main.ts|simulator.cli.ts" "/proc/$pid/cmdline" 2>/dev/null; then
    say "stopping $svc left over from an earlier run (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    # It keeps its port until its graceful shutdown ends; starting another one now would fail.
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
done

if ! bash stack/stack.sh status >/dev/null 2>&1; then
  started_stack=1
  bash stack/stack.sh up
fi
set -a
eval "$(bash stack/stack.sh env)"
set +a
export TURBO_TELEMETRY_DISABLED=1
if [ -n "${MAIN_DATABASE_URL:-}" ]; then
  export DATABASE_URL=$MAIN_DATABASE_URL
  db_name=${MAIN_DATABASE_URL##*/}; db_name=${db_name%%\?*}
  psql "${MAIN_DATABASE_URL%/*}/postgres" -qtAc "SELECT 1 FROM pg_database WHERE datname = '$db_name'" | grep -q 1 \
    || psql "${MAIN_DATABASE_URL%/*}/postgres" -qc "CREATE DATABASE \"$db_name\""
fi
# The claim links the claims service prints and the workload follows.
export CLAIMS_LINK_BASE_URL=${CLAIMS_LINK_BASE_URL:-http://127.0.0.1:${PORTS[claims]}/v1/api/claims/}
# The workload's buyers all come from this machine; each names its own address in X-Forwarded-For
# (as a reverse proxy would), so the per-address rate limit applies per buyer, not to the whole run.
export CLAIMS_TRUSTED_PROXY_HOPS=${CLAIMS_TRUSTED_PROXY_HOPS:-1}

# A local-only credentials key, made once per checkout; production sets its own (ADR 0006).
if [ -z "${APP_ENV_INVOICE_CREDENTIALS_KEY:-}" ]; then
  [ -s .stack/dev-credentials.key ] || node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("hex"))' > .stack/dev-credentials.key
  APP_ENV_INVOICE_CREDENTIALS_KEY=$(cat .stack/dev-credentials.key)
  export APP_ENV_INVOICE_CREDENTIALS_KEY
fi
# Local-only webhook secrets (merchant and internal routes), made once per checkout like the key above.
for var in WEBHOOK_SECRET WEBHOOK_INTERNAL_SECRET; do
  if [ -z "${!var:-}" ]; then
    file=.stack/dev-$(echo "$var" | tr 'A-Z_' 'a-z-').txt
    [ -s "$file" ] || node -e 'process.stdout.write("whsec_dev_" + require("crypto").randomBytes(24).toString("hex"))' > "$file"
    export "$var=$(cat "$file")"
  fi
done

say "migrate: database migrations + seed, topics, schemas"
node --import tsx services/issuer/src/main.ts migrate > .stack/logs/migrate.log 2>&1 || {
  say "migrate failed; log: .stack/logs/migrate.log"; tail -n 30 .stack/logs/migrate.log >&2; exit 1; }

# A provider simulator of the main job's own: its report counts this run only, and the short outage
# the workload starts reaches nobody else using the stack's simulator.
node --import tsx packages/provider-simulator/src/simulator.cli.ts --host 127.0.0.1 --port "$SIMULATOR_PORT" \
  > .stack/logs/main-provider-simulator.log 2>&1 &
pids+=($!)
echo $! > .stack/run/main-provider-simulator.pid
export PROVIDER_SIMULATOR_URL=http://127.0.0.1:$SIMULATOR_PORT
# A send whose outcome is unknown (a 5xx, a timeout) is looked up when its lease ends, before any
# resend; the production lease (120 s) would make the run's provider errors its longest wait.
export ISSUER_SEND_LEASE_MS=${ISSUER_SEND_LEASE_MS:-30000}
export ISSUER_PROVIDER_BASE_URL=${ISSUER_PROVIDER_BASE_URL:-$PROVIDER_SIMULATOR_URL/services/einvoiceapplication/api}

# The issuer runs with the heap cap of its deployment (ops/k8s/issuer.yaml).
declare -A NODE_FLAGS=([issuer]=--max-old-space-size=160)
for svc in "${SERVICES[@]}"; do
  # shellcheck disable=SC2086  # one flag or none
  PORT=${PORTS[$svc]} APP_ENV_INVOICE_WORKER_ID=${WORKER_IDS[$svc]} \
    node ${NODE_FLAGS[$svc]:-} --import tsx "services/${SOURCES[$svc]}/src/main.ts" "${MODES[$svc]}" > ".stack/logs/$svc.log" 2>&1 &
  pids+=($!)
  echo $! > ".stack/run/main-$svc.pid"
done

deadline=$((SECONDS + ${MAIN_READY_TIMEOUT_SECONDS:-90}))
for svc in "${SERVICES[@]}"; do
  url="http://127.0.0.1:${PORTS[$svc]}/ready"
  until curl -fsS -o /dev/null "$url" 2>/dev/null; do
    if ! kill -0 "$(cat ".stack/run/main-$svc.pid")" 2>/dev/null; then
      say "$svc exited during start-up; last log lines (.stack/logs/$svc.log):"
      tail -n 20 ".stack/logs/$svc.log" >&2
      exit 1
    fi
    if [ $SECONDS -ge $deadline ]; then
      say "$svc not ready at $url; last log lines (.stack/logs/$svc.log):"
      tail -n 20 ".stack/logs/$svc.log" >&2
      exit 1
    fi
    sleep 0.5
  done
done

until curl -fsS -o /dev/null "$PROVIDER_SIMULATOR_URL/health" 2>/dev/null; do
  if [ $SECONDS -ge $deadline ]; then say "provider simulator not ready; log: .stack/logs/main-provider-simulator.log"; exit 1; fi
  sleep 0.5
done

printf '\n%-14s %-28s %-8s %s\n' SERVICE URL READY LOG >&2
for svc in "${SERVICES[@]}"; do
  printf '%-14s %-28s %-8s %s\n' "$svc" "http://127.0.0.1:${PORTS[$svc]}" yes "$ROOT/.stack/logs/$svc.log" >&2
done
printf '%-14s %-28s %-8s %s\n' simulator "$PROVIDER_SIMULATOR_URL" yes "$ROOT/.stack/logs/main-provider-simulator.log" >&2
echo >&2
bash stack/stack.sh status >&2 || true

if [ "${MAIN_EXIT_WHEN_READY:-0}" = 1 ]; then
  say "all services ready (MAIN_EXIT_WHEN_READY=1): stopping"
  exit 0
fi
say "all services ready; driving the workload (scripts/main-job)"
export MAIN_INGEST_URL=http://127.0.0.1:${PORTS[ingest]} MAIN_CLAIMS_URL=http://127.0.0.1:${PORTS[claims]}
export MAIN_METRICS_URLS="ingest=http://127.0.0.1:${PORTS[ingest]}/metrics,claims=http://127.0.0.1:${PORTS[claims]}/metrics,claims-worker=http://127.0.0.1:${PORTS[claims-worker]}/metrics,issuer=http://127.0.0.1:${PORTS[issuer]}/metrics,cdc-sync=http://127.0.0.1:${PORTS[cdc-sync]}/metrics"
export MAIN_SUMMARY_FILE=$SUMMARY_FILE
status=0
node --import tsx scripts/main-job/main-job.ts || status=$?
if [ "${MAIN_EXIT_WHEN_DONE:-0}" = 1 ]; then
  [ "$status" = 0 ] && say "every check held (MAIN_EXIT_WHEN_DONE=1): stopping" || say "a check failed (status $status): stopping"
  exit "$status"
fi
say "services keep running; Ctrl-C stops them"
wait

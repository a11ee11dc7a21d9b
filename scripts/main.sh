#!/usr/bin/env bash
# The main job (README "Quick start"): installs, brings up the local stack, runs `migrate`
# (database + seed, topics, schemas), starts all four services and waits until each is ready.
# Then it keeps them running until Ctrl-C / SIGTERM, and stops what it started.
#   MAIN_EXIT_WHEN_READY=1  stop everything and exit 0 as soon as all services are ready (smoke run)
#   KEEP_STACK=1            leave the stack running on exit
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

say() { printf '[main] %s\n' "$*" >&2; }

bash scripts/bootstrap.sh

declare -A PORTS=([ingest]=31140 [claims]=31141 [issuer]=31142 [cdc-sync]=31143)
declare -A WORKER_IDS=([ingest]=1 [claims]=2 [issuer]=3 [cdc-sync]=4)
SERVICES=(ingest issuer claims cdc-sync)
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
}
trap stop_all EXIT
trap 'exit 0' INT TERM

mkdir -p .stack/run .stack/logs
# Services left over from a run that was killed (SIGKILL skips the trap) still hold their ports.
for svc in "${SERVICES[@]}"; do
  pidfile=".stack/run/$svc.pid"
  if [ -f "$pidfile" ] && pid=$(cat "$pidfile") && kill -0 "$pid" 2>/dev/null \
     && grep -q "services/$svc/src/main.ts" "/proc/$pid/cmdline" 2>/dev/null; then
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

# A local-only credentials key, made once per checkout; production sets its own (ADR 0006).
if [ -z "${APP_ENV_INVOICE_CREDENTIALS_KEY:-}" ]; then
  [ -s .stack/dev-credentials.key ] || node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("hex"))' > .stack/dev-credentials.key
  APP_ENV_INVOICE_CREDENTIALS_KEY=$(cat .stack/dev-credentials.key)
  export APP_ENV_INVOICE_CREDENTIALS_KEY
fi

say "migrate: database migrations + seed, topics, schemas"
node --import tsx services/issuer/src/main.ts migrate > .stack/logs/migrate.log 2>&1 || {
  say "migrate failed; log: .stack/logs/migrate.log"; tail -n 30 .stack/logs/migrate.log >&2; exit 1; }

for svc in "${SERVICES[@]}"; do
  PORT=${PORTS[$svc]} APP_ENV_INVOICE_WORKER_ID=${WORKER_IDS[$svc]} \
    node --import tsx "services/$svc/src/main.ts" > ".stack/logs/$svc.log" 2>&1 &
  pids+=($!)
  echo $! > ".stack/run/$svc.pid"
done

deadline=$((SECONDS + ${MAIN_READY_TIMEOUT_SECONDS:-90}))
for svc in "${SERVICES[@]}"; do
  url="http://127.0.0.1:${PORTS[$svc]}/ready"
  until curl -fsS -o /dev/null "$url" 2>/dev/null; do
    if ! kill -0 "$(cat ".stack/run/$svc.pid")" 2>/dev/null; then
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

printf '\n%-10s %-28s %-8s %s\n' SERVICE URL READY LOG
for svc in "${SERVICES[@]}"; do
  printf '%-10s %-28s %-8s %s\n' "$svc" "http://127.0.0.1:${PORTS[$svc]}" yes "$ROOT/.stack/logs/$svc.log"
done
echo
bash stack/stack.sh status || true

if [ "${MAIN_EXIT_WHEN_READY:-0}" = 1 ]; then
  say "all services ready (MAIN_EXIT_WHEN_READY=1): stopping"
  exit 0
fi
say "all services ready; Ctrl-C stops them"
wait

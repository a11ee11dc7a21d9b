#!/usr/bin/env bash
# CDC stack for services/cdc-sync (no Docker needed): a PostgreSQL cluster of its own with
# wal_level=logical, standing in for commerce's database, and Kafka Connect (standalone) with
# Debezium's PostgreSQL connector and Apicurio's Avro converter, against the shared broker.
#
#   stack/cdc.sh up       create + start the commerce cluster, start Connect (reuses what runs)
#   stack/cdc.sh down     delete connectors, stop Connect, drop slots + publications, remove the cluster
#   stack/cdc.sh status   one line per component; exit 0 iff both are up
#   stack/cdc.sh env      CDC_COMMERCE_DATABASE_URL=... CDC_CONNECT_URL=... (shell assignments)
#
# Needs the shared stack (stack/stack.sh up): Connect talks to its Kafka, the Avro converter to its
# registry. The machine's own PostgreSQL cluster is never touched. See stack/README.md ("CDC stack")
# and docs/adr/0015-cdc-sync.md for versions, ports and measured times.
set -euo pipefail

CDC_SCRIPT_DIR="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd -P)"
# The shared helpers and settings (STACK_DIR, CACHE_DIR, Kafka/Apicurio addresses, launch, stop_pids,
# run_maven, find_java, CDS): stack.sh runs its main only when executed, not when sourced.
# shellcheck source=stack/stack.sh
source "$CDC_SCRIPT_DIR/stack.sh"

# ---------------------------------------------------------------- configuration
CDC_PG_HOST=127.0.0.1
CDC_PG_PORT="${INVOICE_CDC_PG_PORT:-55433}"
CDC_PG_DATABASE="${INVOICE_CDC_PG_DATABASE:-commerce}"
CDC_CONNECT_HOST=127.0.0.1
CDC_CONNECT_PORT="${INVOICE_CDC_CONNECT_PORT:-18083}"
CDC_CONNECT_HEAP_OPTS="${INVOICE_CDC_CONNECT_HEAP_OPTS:--Xms64m -Xmx384m}"

CDC_DIR="$STACK_DIR/cdc"
CDC_CONNECT_DIR="$CDC_DIR/connect"
CDC_PG_LOG="$LOG_DIR/cdc-postgres.log"

# As root the cluster runs as 'postgres', which must reach its data directory: when the stack dir
# lies below a directory it cannot enter (a checkout under /root, say), the cluster lives under
# /var/tmp instead, named after the stack dir. Its log is copied to $LOG_DIR on 'down'.
nearest_existing() { local d="$1"; while [[ ! -e "$d" ]]; do d="$(dirname "$d")"; done; printf '%s
' "$d"; }
CDC_PG_BASE="$CDC_DIR"
if [[ "$(id -u)" == 0 ]] && ! runuser -u postgres -- test -x "$(nearest_existing "$STACK_DIR")" 2>/dev/null; then
  CDC_PG_BASE="/var/tmp/invoice-cdc-$(printf '%s' "$STACK_DIR" | sha256sum | cut -c1-12)"
  CDC_PG_LOG="$CDC_PG_BASE/postgres.log"
fi
CDC_PG_DATA="$CDC_PG_BASE/pgdata"
CDC_PG_SOCKET_DIR="$CDC_PG_BASE/pgsocket"
CDC_CONNECT_LOG="$LOG_DIR/cdc-connect.log"
CDC_CONNECT_PID_FILE="$RUN_DIR/cdc-connect.pid"

# The three poms decide the cached jars; editing any of them fetches a new set.
CDC_POMS=("$CDC_SCRIPT_DIR/cdc/connect-pom.xml" "$CDC_SCRIPT_DIR/cdc/debezium-pom.xml"
          "$CDC_SCRIPT_DIR/cdc/apicurio-converter-pom.xml")

cdc_url() { printf 'postgresql://postgres@%s:%s/%s\n' "$CDC_PG_HOST" "$CDC_PG_PORT" "${1:-$CDC_PG_DATABASE}"; }
connect_url() { printf 'http://%s:%s\n' "$CDC_CONNECT_HOST" "$CDC_CONNECT_PORT"; }

# ---------------------------------------------------------------- artifacts (cached outside the repo)
cdc_jars_id() { cat "${CDC_POMS[@]}" | sha256sum | cut -c1-16; }
CDC_HOME="$CACHE_DIR/cdc-$(cdc_jars_id)"
CDC_WORKER_LIB="$CDC_HOME/worker"
CDC_PLUGINS="$CDC_HOME/plugins"

# Apicurio's converter jar lists no ServiceLoader manifest, so plugin.discovery=service_load (3x
# faster start, a third of the memory) would not see it. A one-file jar beside it adds the manifest
# (what Kafka's `connect-plugin-path sync-manifests` would write into the jar itself).
write_converter_manifest() {
  local dir="$1" tmp java jar_tool
  tmp="$(mktemp -d)"
  mkdir -p "$tmp/META-INF/services"
  printf '%s\n' io.apicurio.registry.utils.converter.AvroConverter io.apicurio.registry.utils.converter.ExtJsonConverter \
    >"$tmp/META-INF/services/org.apache.kafka.connect.storage.Converter"
  java="$(find_java 17)" || die "Kafka Connect needs Java 17+; none found"
  jar_tool="$(dirname "$(readlink -f "$java")")/jar"
  if [[ -x "$jar_tool" ]]; then
    "$jar_tool" --create --file "$dir/invoice-stack-service-manifest.jar" -C "$tmp" META-INF
  elif command -v python3 >/dev/null 2>&1; then
    (cd "$tmp" && python3 -m zipfile -c "$dir/invoice-stack-service-manifest.jar" META-INF)
  else
    die "need the JDK's 'jar' tool or python3 to write the converter's ServiceLoader manifest"
  fi
  rm -rf "$tmp"
}

ensure_cdc_jars() {
  local marker="$CDC_HOME/.complete"
  [[ -f "$marker" ]] && return 0
  cache_lock "$CDC_HOME"
  if [[ -f "$marker" ]]; then cache_unlock; return 0; fi
  log "fetching Kafka Connect, Debezium and the Apicurio converter with Maven into $CDC_HOME"
  local tmp="$CDC_HOME/tmp.$$"
  rm -rf "$tmp"
  run_maven "$LOG_DIR/maven-cdc-connect.log" -f "${CDC_POMS[0]}" "-DoutputDirectory=$tmp/worker" \
    org.apache.maven.plugins:maven-dependency-plugin:3.9.0:copy-dependencies
  run_maven "$LOG_DIR/maven-cdc-debezium.log" -f "${CDC_POMS[1]}" "-DoutputDirectory=$tmp/plugins/debezium-postgres" \
    org.apache.maven.plugins:maven-dependency-plugin:3.9.0:copy-dependencies
  run_maven "$LOG_DIR/maven-cdc-apicurio.log" -f "${CDC_POMS[2]}" "-DoutputDirectory=$tmp/plugins/apicurio-converter" \
    org.apache.maven.plugins:maven-dependency-plugin:3.9.0:copy-dependencies
  ls "$tmp"/worker/connect-runtime-*.jar "$tmp"/plugins/debezium-postgres/debezium-connector-postgres-*.jar \
     "$tmp"/plugins/apicurio-converter/apicurio-registry-utils-converter-*.jar >/dev/null 2>&1 \
    || die "CDC jars in $tmp are incomplete (see $LOG_DIR/maven-cdc-*.log)"
  write_converter_manifest "$tmp/plugins/apicurio-converter"
  rm -rf "$CDC_WORKER_LIB" "$CDC_PLUGINS"
  mv "$tmp/worker" "$CDC_WORKER_LIB"
  mv "$tmp/plugins" "$CDC_PLUGINS"
  rm -rf "$tmp"
  date -u +%FT%TZ >"$marker"
  cache_unlock
}

# ---------------------------------------------------------------- the commerce PostgreSQL cluster
pg_bin() {
  if [[ -n "${INVOICE_CDC_PG_BIN:-}" ]]; then printf '%s\n' "$INVOICE_CDC_PG_BIN"; return; fi
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  [[ -z "$d" ]] && command -v pg_ctl >/dev/null 2>&1 && d="$(dirname "$(readlink -f "$(command -v pg_ctl)")")"
  [[ -n "$d" && -x "$d/initdb" && -x "$d/pg_ctl" ]] \
    || die "PostgreSQL server binaries (initdb, pg_ctl) not found; apt-get install postgresql, or set INVOICE_CDC_PG_BIN"
  printf '%s\n' "$d"
}

# PostgreSQL refuses to run as root: as root, the cluster belongs to the 'postgres' account.
as_pg_owner() {
  if [[ "$(id -u)" == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cdc_pg_up() { pg_isready -q -h "$CDC_PG_HOST" -p "$CDC_PG_PORT" -t 2 2>/dev/null; }
cdc_pg_running() { [[ -f "$CDC_PG_DATA/postmaster.pid" ]] && cdc_pg_up; }

cdc_psql() {  # DATABASE SQL...
  local db="$1"; shift
  psql -h "$CDC_PG_HOST" -p "$CDC_PG_PORT" -U postgres -d "$db" -XAtq -v ON_ERROR_STOP=1 "$@"
}

start_cdc_postgres() {
  if cdc_pg_running; then log "cdc postgres already running on $CDC_PG_HOST:$CDC_PG_PORT"; return 0; fi
  port_open "$CDC_PG_HOST" "$CDC_PG_PORT" \
    && die "port $CDC_PG_HOST:$CDC_PG_PORT is already in use ($(port_owner "$CDC_PG_PORT")); set INVOICE_CDC_PG_PORT"
  local bin; bin="$(pg_bin)"
  mkdir -p "$CDC_DIR" "$CDC_PG_BASE" "$LOG_DIR"
  if [[ ! -f "$CDC_PG_DATA/PG_VERSION" ]]; then
    rm -rf "$CDC_PG_DATA"
    mkdir -p "$CDC_PG_DATA" "$CDC_PG_SOCKET_DIR"
    [[ "$(id -u)" == 0 ]] && chown postgres "$CDC_PG_DATA" "$CDC_PG_SOCKET_DIR"
    as_pg_owner "$bin/initdb" -D "$CDC_PG_DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
      --no-instructions >"$LOG_DIR/cdc-initdb.log" 2>&1 \
      || { show_failure "cdc postgres" "$LOG_DIR/cdc-initdb.log" "initdb failed"; exit 1; }
    # A throwaway stand-in: durability off (fsync) buys nothing here. wal_level=logical is what
    # Debezium's pgoutput decoding needs; every test's connector takes a slot of its own.
    cat >>"$CDC_PG_DATA/postgresql.conf" <<EOF

# ---- stack/cdc.sh (commerce stand-in for Debezium)
listen_addresses = '$CDC_PG_HOST'
port = $CDC_PG_PORT
unix_socket_directories = '$CDC_PG_SOCKET_DIR'
wal_level = logical
max_wal_senders = 20
max_replication_slots = 20
max_connections = 60
shared_buffers = 32MB
fsync = off
full_page_writes = off
synchronous_commit = off
EOF
  fi
  : >"$CDC_PG_LOG"
  [[ "$(id -u)" == 0 ]] && chown postgres "$CDC_PG_LOG"
  # 8>&- 9>&-: the postmaster must not inherit (and so hold) the lock fds.
  as_pg_owner "$bin/pg_ctl" -D "$CDC_PG_DATA" -l "$CDC_PG_LOG" -w -t "$READY_TIMEOUT" start \
    </dev/null >/dev/null 2>&1 8>&- 9>&- \
    || { show_failure "cdc postgres" "$CDC_PG_LOG" "did not start"; exit 1; }
  if [[ -z "$(cdc_psql postgres -c "SELECT 1 FROM pg_database WHERE datname = '$CDC_PG_DATABASE'")" ]]; then
    cdc_psql postgres -c "CREATE DATABASE \"$CDC_PG_DATABASE\""
  fi
  log "cdc postgres ready on $CDC_PG_HOST:$CDC_PG_PORT (wal_level=$(cdc_psql postgres -c 'SHOW wal_level'))"
}

# Drops what connectors leave behind: replication slots (which would pin WAL for ever) and the
# publications Debezium created, in every database of the cluster.
drop_slots_and_publications() {
  cdc_pg_up || return 0
  local db
  cdc_psql postgres -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE NOT active" >/dev/null \
    || log "WARN: could not drop every replication slot"
  for db in $(cdc_psql postgres -c "SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate"); do
    cdc_psql "$db" -c "SELECT format('DROP PUBLICATION %I', pubname) FROM pg_publication" \
      | cdc_psql "$db" >/dev/null || log "WARN: could not drop the publications of $db"
  done
}

stop_cdc_postgres() {
  [[ -f "$CDC_PG_DATA/postmaster.pid" ]] || return 0
  drop_slots_and_publications
  log "stopping cdc postgres"
  as_pg_owner "$(pg_bin)/pg_ctl" -D "$CDC_PG_DATA" -m fast -w -t "$STOP_TIMEOUT" stop >/dev/null 2>&1 \
    || log "WARN: pg_ctl stop failed (log: $CDC_PG_LOG)"
}

# ---------------------------------------------------------------- Kafka Connect
connect_running() {
  local pid; pid="$(read_pid "$CDC_CONNECT_PID_FILE")"
  [[ -n "$pid" ]] && pid_alive "$pid" ConnectStandalone
}
connect_ready() {
  connect_running && curl -fsS --max-time 2 "$(connect_url)/connector-plugins" 2>/dev/null \
    | grep -q 'io.debezium.connector.postgresql.PostgresConnector'
}

write_connect_config() {
  mkdir -p "$CDC_CONNECT_DIR"
  cat >"$CDC_CONNECT_DIR/worker.properties" <<EOF
# Generated by stack/cdc.sh on every 'up'; do not edit.
bootstrap.servers=$KAFKA_HOST:$KAFKA_PORT
# Worker defaults; each connector names its own converters (JSON with/without schemas, Avro).
key.converter=org.apache.kafka.connect.json.JsonConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
key.converter.schemas.enable=false
value.converter.schemas.enable=false
# Standalone: source offsets in a local file; connectors are created through the REST API.
offset.storage.file.filename=$CDC_CONNECT_DIR/connect.offsets
offset.flush.interval.ms=1000
listeners=http://$CDC_CONNECT_HOST:$CDC_CONNECT_PORT
plugin.path=$CDC_PLUGINS
# ServiceLoader manifests only, no class-path scan: ~3 s to ready instead of ~13 s, a third of the heap.
plugin.discovery=service_load
# The broker may refuse auto-created topics: Connect creates the change topics itself
# (each connector sets topic.creation.default.partitions / replication.factor).
topic.creation.enable=true
EOF
}

start_connect() {
  if connect_running; then log "connect already running (pid $(read_pid "$CDC_CONNECT_PID_FILE"))"; return 0; fi
  port_open "$CDC_CONNECT_HOST" "$CDC_CONNECT_PORT" \
    && die "port $CDC_CONNECT_HOST:$CDC_CONNECT_PORT is already in use ($(port_owner "$CDC_CONNECT_PORT")); set INVOICE_CDC_CONNECT_PORT"
  port_open "$KAFKA_HOST" "$KAFKA_PORT" \
    || die "Kafka is not reachable on $KAFKA_HOST:$KAFKA_PORT; start the shared stack first (stack/stack.sh up)"
  ensure_cdc_jars
  local java cds=()
  java="$(find_java 17)" || die "Kafka Connect needs Java 17+; none found"
  rm -rf "$CDC_CONNECT_DIR"
  write_connect_config
  mapfile -t cds < <(cds_opts cdc-connect "$(cds_archive "$CDC_HOME" "$java" "$(cat "$CDC_HOME/.complete")")")
  # shellcheck disable=SC2086  # heap opts are a word list on purpose
  launch "$CDC_CONNECT_PID_FILE" "$CDC_CONNECT_LOG" "$java" $CDC_CONNECT_HEAP_OPTS "${cds[@]+"${cds[@]}"}" \
    -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    "-Dlog4j2.configurationFile=$CDC_SCRIPT_DIR/cdc/connect-log4j2.properties" \
    -cp "$CDC_WORKER_LIB/*" org.apache.kafka.connect.cli.ConnectStandalone "$CDC_CONNECT_DIR/worker.properties"
  log "connect starting (pid $(read_pid "$CDC_CONNECT_PID_FILE"), $("$java" -version 2>&1 | head -1))"
}

wait_connect_ready() {
  local deadline=$(( $(now) + READY_TIMEOUT ))
  until connect_ready; do
    if ! connect_running; then show_failure connect "$CDC_CONNECT_LOG" "exited during startup"; exit 1; fi
    if (( $(now) >= deadline )); then
      show_failure connect "$CDC_CONNECT_LOG" "not ready after ${READY_TIMEOUT}s (GET /connector-plugins)"
      stop_pids "cdc-connect:$CDC_CONNECT_PID_FILE:ConnectStandalone"
      exit 1
    fi
    sleep 0.2
  done
}

delete_connectors() {
  connect_ready || return 0
  local name
  for name in $(curl -fsS --max-time 5 "$(connect_url)/connectors" 2>/dev/null | tr -d '[]"' | tr ',' ' '); do
    curl -fsS --max-time 10 -X DELETE "$(connect_url)/connectors/$name" >/dev/null 2>&1 \
      || log "WARN: could not delete connector $name"
  done
}

# ---------------------------------------------------------------- commands
cdc_lock() {  # serialise up/down across parallel callers (test workers, test.sh)
  mkdir -p "$STACK_DIR"
  exec 9>"$STACK_DIR/.cdc.lock"
  if command -v flock >/dev/null 2>&1; then flock -w 300 9 || die "could not take $STACK_DIR/.cdc.lock within 300s"; fi
}

cdc_up() {
  local t0; t0="$(date +%s.%N)"
  cdc_lock
  mkdir -p "$RUN_DIR" "$LOG_DIR"
  start_cdc_postgres
  start_connect
  wait_connect_ready
  log "cdc up in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')s — $(cdc_url) (commerce postgres), $(connect_url) (kafka connect)"
}

cdc_down() {
  cdc_lock
  delete_connectors
  stop_pids "cdc-connect:$CDC_CONNECT_PID_FILE:ConnectStandalone"
  stop_cdc_postgres
  if [[ "$CDC_PG_BASE" != "$CDC_DIR" ]]; then
    cp -f "$CDC_PG_LOG" "$LOG_DIR/cdc-postgres.log" 2>/dev/null || true
    rm -rf "$CDC_PG_BASE"
  fi
  rm -rf "$CDC_DIR"
  log "cdc down (logs kept in $LOG_DIR)"
}

cdc_status() {
  local all=0 pid
  pid="$(read_pid "$CDC_CONNECT_PID_FILE")"
  if connect_ready; then status_line connect running "$pid" "$CDC_CONNECT_PORT" 4.3.1 "$CDC_CONNECT_LOG"
  elif connect_running; then status_line connect starting "$pid" "$CDC_CONNECT_PORT" 4.3.1 "$CDC_CONNECT_LOG"; all=1
  else status_line connect stopped - "$CDC_CONNECT_PORT" 4.3.1 "$CDC_CONNECT_LOG"; all=1; fi
  if cdc_pg_running; then
    pid="$(head -1 "$CDC_PG_DATA/postmaster.pid" 2>/dev/null || true)"
    status_line cdc-pg running "${pid:--}" "$CDC_PG_PORT" "$(cdc_psql postgres -c 'SHOW server_version' | awk '{print $1}')" "$CDC_PG_LOG"
  else status_line cdc-pg stopped - "$CDC_PG_PORT" - "$CDC_PG_LOG"; all=1; fi
  return "$all"
}

cdc_env() {
  cat <<EOF
CDC_COMMERCE_DATABASE_URL=$(cdc_url)
CDC_CONNECT_URL=$(connect_url)
EOF
}

cdc_main() {
  local cmd="${1:-}"; (($#)) && shift
  case "$cmd" in
    up)             cdc_up "$@" ;;
    down)           cdc_down "$@" ;;
    status)         cdc_status "$@" ;;
    env)            cdc_env "$@" ;;
    -h|--help|help) sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2 ;;
    *)              sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
  esac
}

cdc_main "$@"

#!/usr/bin/env bash
# Local infrastructure stack for the invoice platform (no Docker needed).
#
#   stack/stack.sh up                 start Kafka (KRaft), Apicurio Registry; ensure PostgreSQL + Redis
#   stack/stack.sh down               stop what this script started, remove data dirs
#   stack/stack.sh status             one line per component; exit 0 iff all are up
#   stack/stack.sh env                KAFKA_BROKERS=... SCHEMA_REGISTRY_URL=... (shell assignments)
#   stack/stack.sh simulator up|down|status
#                                     only the SInvoice provider simulator (127.0.0.1:31150)
#   stack/stack.sh dev-jwks up|down|status
#                                     only the dev JWKS for merchant API tokens (127.0.0.1:31151)
#   stack/stack.sh kafka-run-class <main-class> [args...]
#                                     run a Java class on the Kafka classpath (console producer, ...)
#
# See stack/README.md for versions, ports, environment variables and measured times.
# shellcheck disable=SC2012  # ls on fixed, well-known paths
set -euo pipefail

# ---------------------------------------------------------------- configuration
SCRIPT_DIR="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd -P)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd -P)"

STACK_DIR="${INVOICE_STACK_DIR:-$REPO_ROOT/.stack}"
CACHE_DIR="${INVOICE_STACK_CACHE:-$HOME/.cache/invoice-platform}"
MAVEN_REPO="${INVOICE_STACK_MAVEN_REPO:-}"          # optional -Dmaven.repo.local
[[ "$STACK_DIR" == /* ]] || STACK_DIR="$PWD/$STACK_DIR"
[[ "$CACHE_DIR" == /* ]] || CACHE_DIR="$PWD/$CACHE_DIR"
[[ -z "$MAVEN_REPO" || "$MAVEN_REPO" == /* ]] || MAVEN_REPO="$PWD/$MAVEN_REPO"
READY_TIMEOUT="${INVOICE_STACK_TIMEOUT:-90}"        # seconds, per component
STOP_TIMEOUT="${INVOICE_STACK_STOP_TIMEOUT:-30}"    # seconds before SIGKILL

KAFKA_VERSION="${INVOICE_STACK_KAFKA_VERSION:-4.4.0}"
KAFKA_HOST=127.0.0.1
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_HEAP_OPTS="${INVOICE_STACK_KAFKA_HEAP_OPTS:--Xms256m -Xmx768m}"

APICURIO_VERSION="${INVOICE_STACK_APICURIO_VERSION:-3.3.3}"
# Used only when no Java 21+ runtime exists (Apicurio 3.2+ is compiled for Java 21).
APICURIO_FALLBACK_VERSION="${INVOICE_STACK_APICURIO_FALLBACK_VERSION:-3.0.9}"
APICURIO_HOST=127.0.0.1
APICURIO_PORT="${APICURIO_PORT:-8081}"
# Quarkus' management interface (/q/health, /q/metrics) cannot be disabled at run time
# in this build; 0 = random free port, bound to loopback only.
APICURIO_MANAGEMENT_PORT="${APICURIO_MANAGEMENT_PORT:-0}"
APICURIO_HEAP_OPTS="${INVOICE_STACK_APICURIO_HEAP_OPTS:--Xms64m -Xmx512m}"

# PostgreSQL / Redis are normally already running (machine services). The port
# overrides are for pointing at another existing server (and for testing this script);
# when PostgreSQL must be started, pg_ctlcluster starts the cluster on its own port.
PG_HOST=127.0.0.1
PG_PORT="${INVOICE_STACK_PG_PORT:-5432}"
REDIS_HOST=127.0.0.1
REDIS_PORT="${INVOICE_STACK_REDIS_PORT:-6379}"

RUN_DIR="$STACK_DIR/run"
LOG_DIR="$STACK_DIR/logs"
KAFKA_DIR="$STACK_DIR/kafka"
REDIS_DIR="$STACK_DIR/redis"
APICURIO_DIR="$STACK_DIR/apicurio"   # Vert.x file cache only (storage is in-memory)

KAFKA_PID_FILE="$RUN_DIR/kafka.pid"
APICURIO_PID_FILE="$RUN_DIR/apicurio.pid"
REDIS_PID_FILE="$RUN_DIR/redis.pid"
PG_STARTED_FILE="$RUN_DIR/postgres.started"   # holds the cluster version we started

KAFKA_LOG="$LOG_DIR/kafka.log"
APICURIO_LOG="$LOG_DIR/apicurio.log"
REDIS_LOG="$LOG_DIR/redis.log"

# ---------------------------------------------------------------- helpers
log()  { printf '[stack] %s\n' "$*" >&2; }
die()  { printf '[stack] ERROR: %s\n' "$*" >&2; exit 1; }
now()  { date +%s; }

# port_open HOST PORT: true when something accepts TCP connections there.
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

port_owner() {  # best-effort description of who listens on a port
  if command -v ss >/dev/null 2>&1; then
    ss -ltnpH "sport = :$1" 2>/dev/null | sed -n 's/.*users:(\(.*\))/\1/p' | head -1
  fi
}

# pid_alive PID PATTERN: process exists and its command line contains PATTERN
# (guards against a recycled pid after a reboot or crash).
pid_alive() {
  local pid="$1" pattern="$2" cmdline
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # The process may exit between the two checks: the redirection's error is silenced too.
  cmdline="$( { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null || true)"
  [[ "$cmdline" == *"$pattern"* ]]
}

read_pid() { if [[ -f "$1" ]]; then head -1 "$1" 2>/dev/null || true; fi; }

# Major version of a java binary ("17.0.15" -> 17, "1.8.0" -> 8, "25-ea" -> 25).
java_major() {
  local v
  v="$("$1" -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')" || return 1
  [[ -n "$v" ]] || return 1
  [[ "$v" == 1.* ]] && v="${v#1.}"
  v="${v%%[!0-9]*}"
  [[ -n "$v" ]] && printf '%s\n' "$v"
}

# find_java MIN [PREFER_TEMURIN]: print the path of a java with major >= MIN.
# Order: default java ($JAVA_HOME or PATH) unless PREFER_TEMURIN, then the
# newest /usr/lib/jvm/temurin-* (globbed at run time, never hard-coded).
find_java() {
  local min="$1" prefer_temurin="${2:-no}" cands=() c m d
  local default_java=""
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    default_java="$JAVA_HOME/bin/java"
  elif command -v java >/dev/null 2>&1; then
    default_java="$(command -v java)"
  fi
  local temurins=()
  for d in $(ls -d "${INVOICE_STACK_JVM_DIR:-/usr/lib/jvm}"/temurin-* 2>/dev/null | sort -rV); do
    [[ -x "$d/bin/java" ]] && temurins+=("$d/bin/java")
  done
  if [[ "$prefer_temurin" == yes ]]; then
    cands=("${temurins[@]+"${temurins[@]}"}" ${default_java:+"$default_java"})
  else
    cands=(${default_java:+"$default_java"} "${temurins[@]+"${temurins[@]}"}")
  fi
  for c in "${cands[@]+"${cands[@]}"}"; do
    m="$(java_major "$c" 2>/dev/null || true)"
    if [[ -n "$m" && "$m" -ge "$min" ]]; then printf '%s\n' "$c"; return 0; fi
  done
  return 1
}

kafka_java() {
  if [[ -n "${INVOICE_STACK_KAFKA_JAVA:-}" ]]; then printf '%s\n' "$INVOICE_STACK_KAFKA_JAVA"; return; fi
  find_java 17 || die "Kafka $KAFKA_VERSION needs Java 17+; none found (install openjdk-17-jre-headless or set INVOICE_STACK_KAFKA_JAVA)"
}

# Picks the Apicurio version + java: sets APICURIO_RUN_VERSION and APICURIO_JAVA.
choose_apicurio() {
  local need=17 major
  case "$APICURIO_VERSION" in
    2.*|3.0.*|3.1.*) need=17 ;;
    *) need=21 ;;
  esac
  if [[ -n "${INVOICE_STACK_APICURIO_JAVA:-}" ]]; then
    APICURIO_JAVA="$INVOICE_STACK_APICURIO_JAVA"; APICURIO_RUN_VERSION="$APICURIO_VERSION"; return
  fi
  if APICURIO_JAVA="$(find_java "$need" yes)"; then
    APICURIO_RUN_VERSION="$APICURIO_VERSION"; return
  fi
  APICURIO_JAVA="$(find_java 17)" \
    || die "Apicurio Registry needs Java 17+ ($APICURIO_VERSION needs $need+); none found"
  major="$(java_major "$APICURIO_JAVA")"
  log "WARN: Apicurio $APICURIO_VERSION needs Java $need+, only Java $major found; falling back to Apicurio $APICURIO_FALLBACK_VERSION"
  APICURIO_RUN_VERSION="$APICURIO_FALLBACK_VERSION"
}

# run_maven LOGFILE ARGS...: quiet, batch mode; on failure print the output and die.
run_maven() {
  local logfile="$1"; shift
  command -v mvn >/dev/null 2>&1 || die "Maven (mvn) not found but needed to fetch artifacts into $CACHE_DIR (apt-get install maven)"
  local extra=()
  [[ -n "$MAVEN_REPO" ]] && extra+=("-Dmaven.repo.local=$MAVEN_REPO")
  mkdir -p "$(dirname "$logfile")"
  if ! mvn -q -B "${extra[@]+"${extra[@]}"}" "$@" </dev/null >"$logfile" 2>&1; then
    cat "$logfile" >&2
    die "Maven failed (log: $logfile): mvn $*"
  fi
}

file_hash() { sha256sum "$1" | cut -c1-16; }

# Serialise fetches into one cache dir (parallel 'kafka-run-class' calls on a cold cache).
cache_lock() {
  mkdir -p "$1"
  exec 8>"$1/.lock"
  if command -v flock >/dev/null 2>&1; then flock -w 600 8 || die "could not lock $1/.lock"; fi
}
cache_unlock() { exec 8>&-; }

# ---------------------------------------------------------------- artifacts (cached outside the repo)
KAFKA_HOME="$CACHE_DIR/kafka-$KAFKA_VERSION"
KAFKA_LIB="$KAFKA_HOME/lib"
KAFKA_POM="$SCRIPT_DIR/kafka/pom.xml"

ensure_kafka_libs() {
  local marker="$KAFKA_HOME/.complete" want
  want="$(file_hash "$KAFKA_POM")"
  if [[ -f "$marker" && "$(cat "$marker")" == "$want" && -d "$KAFKA_LIB" ]]; then
    return 0
  fi
  cache_lock "$KAFKA_HOME"
  if [[ -f "$marker" && "$(cat "$marker")" == "$want" && -d "$KAFKA_LIB" ]]; then
    cache_unlock; return 0
  fi
  log "fetching Kafka $KAFKA_VERSION classpath with Maven into $KAFKA_LIB"
  mkdir -p "$KAFKA_HOME"
  local tmp="$KAFKA_HOME/lib.tmp.$$"
  rm -rf "$tmp"
  run_maven "$LOG_DIR/maven-kafka.log" -f "$KAFKA_POM" \
    "-Dkafka.version=$KAFKA_VERSION" "-DoutputDirectory=$tmp" \
    org.apache.maven.plugins:maven-dependency-plugin:3.9.0:copy-dependencies
  ls "$tmp"/kafka_2.13-"$KAFKA_VERSION".jar "$tmp"/kafka-tools-"$KAFKA_VERSION".jar \
     "$tmp"/log4j-slf4j-impl-*.jar >/dev/null 2>&1 \
    || die "Kafka classpath in $tmp is incomplete (see $LOG_DIR/maven-kafka.log)"
  rm -rf "$KAFKA_LIB"
  rm -f "$KAFKA_HOME"/cds-*.jsa   # archives of the previous classpath
  mv "$tmp" "$KAFKA_LIB"
  printf '%s\n' "$want" >"$marker"
  cache_unlock
}

apicurio_home() { printf '%s\n' "$CACHE_DIR/apicurio-$1"; }

ensure_apicurio_dist() {
  local version="$1" home marker
  home="$(apicurio_home "$version")"
  marker="$home/.complete"
  [[ -f "$marker" && -d "$home/dist" ]] && return 0
  cache_lock "$home"
  if [[ -f "$marker" && -d "$home/dist" ]]; then cache_unlock; return 0; fi
  log "fetching Apicurio Registry $version with Maven into $home"
  mkdir -p "$home"
  local dl="$home/download.tmp.$$" tmp="$home/dist.tmp.$$"
  rm -rf "$dl" "$tmp"
  run_maven "$LOG_DIR/maven-apicurio.log" -f "$SCRIPT_DIR/apicurio/pom.xml" \
    "-Dapicurio.version=$version" "-DoutputDirectory=$dl" \
    org.apache.maven.plugins:maven-dependency-plugin:3.9.0:copy
  local tgz
  tgz="$(ls "$dl"/apicurio-registry-app-*.tar.gz 2>/dev/null | head -1)"
  [[ -n "$tgz" ]] || die "Apicurio download produced no tar.gz in $dl"
  mkdir -p "$tmp"
  tar -xzf "$tgz" -C "$tmp"
  rm -rf "$dl" "$home/dist"
  rm -f "$home"/cds-*.jsa   # archives of a previous extraction
  mv "$tmp" "$home/dist"
  printf '%s\n' "$version" >"$marker"
  cache_unlock
}

# The runnable jar: 3.1+ is a Quarkus fast-jar (quarkus-run.jar), 2.x/3.0 a legacy *-runner.jar.
apicurio_jar() {
  local dist; dist="$(apicurio_home "$1")/dist"
  local j
  for j in "$dist/quarkus-run.jar" "$dist"/quarkus-app/quarkus-run.jar "$dist"/*-runner.jar; do
    [[ -f "$j" ]] && { printf '%s\n' "$j"; return 0; }
  done
  die "no runnable jar in $dist"
}

# ---------------------------------------------------------------- process control
# launch PIDFILE LOGFILE CMD...: start detached (own session, no stdin, no lock fd);
# the started process writes its own pid, then execs CMD.
launch() {
  local pidfile="$1" logfile="$2"; shift 2
  rm -f "$pidfile"
  if [[ -f "$logfile" ]]; then mv -f "$logfile" "$logfile.1"; fi
  # shellcheck disable=SC2016  # $$ / $0 / $@ are expanded by the inner bash
  setsid bash -c 'echo $$ > "$0"; exec "$@"' "$pidfile" "$@" \
    </dev/null >"$logfile" 2>&1 8>&- 9>&- &
  local _
  for _ in $(seq 1 100); do
    [[ -s "$pidfile" ]] && return 0
    sleep 0.05
  done
  die "could not start $* (no pid file $pidfile)"
}

# stop_pids NAME:PIDFILE:PATTERN ...: SIGTERM all, poll up to STOP_TIMEOUT, then SIGKILL.
stop_pids() {
  local spec name pidfile pattern pid pending=() deadline
  for spec in "$@"; do
    IFS=: read -r name pidfile pattern <<<"$spec"
    pid="$(read_pid "$pidfile")"
    if [[ -n "$pid" ]] && pid_alive "$pid" "$pattern"; then
      log "stopping $name (pid $pid)"
      kill -TERM "$pid" 2>/dev/null || true
      pending+=("$name:$pid:$pattern:$pidfile")
    else
      rm -f "$pidfile"
      cds_finish "$name" no
    fi
  done
  deadline=$(( $(now) + STOP_TIMEOUT ))
  while ((${#pending[@]})); do
    local still=()
    for spec in "${pending[@]}"; do
      IFS=: read -r name pid pattern pidfile <<<"$spec"
      if pid_alive "$pid" "$pattern"; then still+=("$spec")
      else log "$name stopped"; rm -f "$pidfile"; cds_finish "$name" yes; fi
    done
    pending=("${still[@]+"${still[@]}"}")
    ((${#pending[@]})) || break
    if (( $(now) >= deadline )); then
      for spec in "${pending[@]}"; do
        IFS=: read -r name pid pattern pidfile <<<"$spec"
        log "$name did not stop within ${STOP_TIMEOUT}s; sending SIGKILL to pid $pid"
        kill -KILL "$pid" 2>/dev/null || true
        rm -f "$pidfile"
        cds_finish "$name" no
      done
      break
    fi
    sleep 0.2
  done
}

show_failure() {  # NAME LOGFILE REASON
  printf '[stack] ERROR: %s %s\n[stack] log: %s (last 30 lines):\n' "$1" "$3" "$2" >&2
  tail -n 30 "$2" 2>/dev/null | sed 's/^/    /' >&2 || true
}

# ---------------------------------------------------------------- class-data sharing (faster JVM start)
# The first start of a JVM dumps a dynamic CDS archive at exit (to <jsa>.tmp); a graceful
# 'down' promotes it to <jsa>, which later starts map (~1 s less per JVM on this machine).
# A JVM that was SIGKILLed leaves a possibly truncated .tmp, which is discarded. The archive
# name includes the JDK build and the classpath id, so a mismatched archive is never used.
CDS_ENABLED="${INVOICE_STACK_CDS:-1}"

cds_archive() {  # DIR JAVA SALT -> path of the archive for this JDK build + classpath
  local id
  id="$( { "$2" -version 2>&1; printf '%s\n' "$3"; } | sha256sum | cut -c1-12)"
  printf '%s/cds-%s.jsa\n' "$1" "$id"
}

# cds_opts NAME ARCHIVE: print the JVM option; remembers the pending archive for 'down'.
cds_opts() {
  local name="$1" jsa="$2"
  [[ "$CDS_ENABLED" == 1 ]] || return 0
  if [[ -s "$jsa" ]]; then
    printf '%s\n' "-XX:SharedArchiveFile=$jsa"
  else
    rm -f "$jsa.tmp"
    printf '%s\n' "$jsa" >"$RUN_DIR/$name.cds"
    printf '%s\n' "-XX:ArchiveClassesAtExit=$jsa.tmp"
  fi
}

cds_finish() {  # NAME GRACEFUL(yes|no): promote or discard the archive dumped at exit
  local f="$RUN_DIR/$1.cds" jsa
  [[ -f "$f" ]] || return 0
  jsa="$(cat "$f")"
  if [[ "$2" == yes && -s "$jsa.tmp" ]]; then mv -f "$jsa.tmp" "$jsa"; else rm -f "$jsa.tmp"; fi
  rm -f "$f"
}

# ---------------------------------------------------------------- Kafka
kafka_running() {
  local pid; pid="$(read_pid "$KAFKA_PID_FILE")"
  [[ -n "$pid" ]] && pid_alive "$pid" kafka.Kafka
}
kafka_ready() { kafka_running && grep -q 'Kafka Server started' "$KAFKA_LOG" 2>/dev/null && port_open "$KAFKA_HOST" "$KAFKA_PORT"; }

random_cluster_id() {  # Kafka Uuid: 16 random bytes, base64url, no padding, must not start with '-'
  local id
  while :; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    [[ "$id" != -* && "$id" != AAAAAAAAAAAAAAAAAAAAAA ]] && { printf '%s\n' "$id"; return; }
  done
}

write_kafka_config() {
  cat >"$KAFKA_DIR/server.properties" <<EOF
# Generated by stack/stack.sh on every 'up'; do not edit.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT,CONTROLLER://$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$KAFKA_DIR/data
num.partitions=3
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=false
delete.topic.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
share.coordinator.state.topic.num.partitions=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
log.retention.check.interval.ms=300000
EOF
}

start_kafka() {
  if kafka_running; then
    log "kafka already running (pid $(read_pid "$KAFKA_PID_FILE"))"
    return 0
  fi
  rm -f "$KAFKA_PID_FILE"
  local p
  for p in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
    port_open "$KAFKA_HOST" "$p" && die "port $KAFKA_HOST:$p is already in use ($(port_owner "$p")); set KAFKA_PORT / KAFKA_CONTROLLER_PORT or stop it"
  done
  ensure_kafka_libs
  local java cid
  java="$(kafka_java)"
  rm -rf "$KAFKA_DIR"
  mkdir -p "$KAFKA_DIR/data" "$LOG_DIR" "$RUN_DIR"
  write_kafka_config
  cid="$(random_cluster_id)"
  if ! "$java" -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
        "-Dlog4j2.configurationFile=$SCRIPT_DIR/kafka/tools-log4j2.properties" \
        -cp "$KAFKA_LIB/*" kafka.tools.StorageTool format \
        -t "$cid" -c "$KAFKA_DIR/server.properties" >"$LOG_DIR/kafka-format.log" 2>&1; then
    show_failure kafka "$LOG_DIR/kafka-format.log" "storage format failed"
    exit 1
  fi
  local cds=()
  mapfile -t cds < <(cds_opts kafka "$(cds_archive "$KAFKA_HOME" "$java" "$(cat "$KAFKA_HOME/.complete")")")
  # shellcheck disable=SC2086  # heap opts are a word list on purpose
  launch "$KAFKA_PID_FILE" "$KAFKA_LOG" "$java" $KAFKA_HEAP_OPTS "${cds[@]+"${cds[@]}"}" \
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError \
    -Djava.awt.headless=true "-Dkafka.logs.dir=$LOG_DIR" \
    "-Dlog4j2.configurationFile=$SCRIPT_DIR/kafka/log4j2.properties" \
    -cp "$KAFKA_LIB/*" kafka.Kafka "$KAFKA_DIR/server.properties"
  printf '%s %s %s\n' "$KAFKA_VERSION" "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" >"$RUN_DIR/kafka.info"
  log "kafka $KAFKA_VERSION starting (pid $(read_pid "$KAFKA_PID_FILE"), cluster id $cid, $("$java" -version 2>&1 | head -1))"
  PENDING+=(kafka)
  LAUNCHED+=(kafka)
}

# ---------------------------------------------------------------- Apicurio
apicurio_running() {
  local pid; pid="$(read_pid "$APICURIO_PID_FILE")"
  [[ -n "$pid" ]] && pid_alive "$pid" apicurio
}
apicurio_ready() {
  apicurio_running && curl -fsS -o /dev/null --max-time 2 \
    "http://$APICURIO_HOST:$APICURIO_PORT/apis/ccompat/v7/subjects" 2>/dev/null
}

start_apicurio() {
  if apicurio_running; then
    log "apicurio already running (pid $(read_pid "$APICURIO_PID_FILE"))"
    return 0
  fi
  rm -f "$APICURIO_PID_FILE"
  command -v curl >/dev/null 2>&1 || die "curl is needed to poll Apicurio readiness (apt-get install curl)"
  port_open "$APICURIO_HOST" "$APICURIO_PORT" && die "port $APICURIO_HOST:$APICURIO_PORT is already in use ($(port_owner "$APICURIO_PORT")); set APICURIO_PORT or stop it"
  choose_apicurio
  ensure_apicurio_dist "$APICURIO_RUN_VERSION"
  local jar dist
  jar="$(apicurio_jar "$APICURIO_RUN_VERSION")"
  dist="$(apicurio_home "$APICURIO_RUN_VERSION")/dist"
  rm -rf "$APICURIO_DIR"
  mkdir -p "$LOG_DIR" "$RUN_DIR" "$APICURIO_DIR"
  # In-memory H2 storage (the default, set explicitly). legacy-id-mode=false makes the
  # ccompat schema id Apicurio's *content id*: identical schema text gets the same id in
  # every subject, as in Confluent Schema Registry (legacy mode returns the per-version
  # global id instead).
  local cds=()
  mapfile -t cds < <(cds_opts apicurio "$(cds_archive "$(apicurio_home "$APICURIO_RUN_VERSION")" "$APICURIO_JAVA" "$jar")")
  # shellcheck disable=SC2086
  launch "$APICURIO_PID_FILE" "$APICURIO_LOG" "$APICURIO_JAVA" $APICURIO_HEAP_OPTS "${cds[@]+"${cds[@]}"}" \
    -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    "-Dquarkus.http.host=$APICURIO_HOST" "-Dquarkus.http.port=$APICURIO_PORT" \
    "-Dquarkus.management.host=$APICURIO_HOST" "-Dquarkus.management.port=$APICURIO_MANAGEMENT_PORT" \
    -Dapicurio.storage.kind=sql -Dapicurio.storage.sql.kind=h2 \
    -Dapicurio.ccompat.legacy-id-mode.enabled=false \
    "-Dvertx.cacheDirBase=$APICURIO_DIR/vertx-cache" \
    "-Dinvoice.stack.apicurio=$dist" \
    -jar "$jar"
  printf '%s %s\n' "$APICURIO_RUN_VERSION" "$APICURIO_PORT" >"$RUN_DIR/apicurio.info"
  log "apicurio $APICURIO_RUN_VERSION starting (pid $(read_pid "$APICURIO_PID_FILE"), $("$APICURIO_JAVA" -version 2>&1 | head -1))"
  PENDING+=(apicurio)
  LAUNCHED+=(apicurio)
}

# ---------------------------------------------------------------- PostgreSQL / Redis
pg_up() {
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -h "$PG_HOST" -p "$PG_PORT" -t 2
  else
    port_open "$PG_HOST" "$PG_PORT"
  fi
}
redis_up() {
  if command -v redis-cli >/dev/null 2>&1; then
    [[ "$(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]]
  else
    port_open "$REDIS_HOST" "$REDIS_PORT"
  fi
}

wait_for() {  # NAME CHECK-FUNCTION LOGHINT
  local deadline=$(( $(now) + READY_TIMEOUT ))
  until "$2"; do
    (( $(now) < deadline )) || die "$1 did not become ready within ${READY_TIMEOUT}s ($3)"
    sleep 0.25
  done
}

ensure_postgres() {
  if pg_up; then log "postgres already running on $PG_HOST:$PG_PORT"; return 0; fi
  local ver
  if ! command -v pg_ctlcluster >/dev/null 2>&1 || [[ ! -d /etc/postgresql ]] \
     || [[ -z "$(ls /etc/postgresql 2>/dev/null)" ]]; then
    die "PostgreSQL is not running on $PG_HOST:$PG_PORT and no Debian cluster (pg_ctlcluster, /etc/postgresql) was found.
  Install and start it, e.g.: apt-get install -y postgresql && pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql | sort -V | tail -1) main start
  (trust auth for user postgres on 127.0.0.1 is expected)"
  fi
  ver="$(ls /etc/postgresql | sort -V | tail -1)"
  log "starting PostgreSQL $ver (pg_ctlcluster)"
  # 8>&- 9>&-: the postmaster must not inherit (and so hold) this script's lock fds.
  pg_ctlcluster --skip-systemctl-redirect "$ver" main start </dev/null >&2 8>&- 9>&- \
    || die "pg_ctlcluster $ver main start failed; see /var/log/postgresql/postgresql-$ver-main.log"
  mkdir -p "$RUN_DIR"
  printf '%s\n' "$ver" >"$PG_STARTED_FILE"
  wait_for postgres pg_up "/var/log/postgresql/postgresql-$ver-main.log"
  log "postgres ready"
}

ensure_redis() {
  if redis_up; then log "redis already running on $REDIS_HOST:$REDIS_PORT"; return 0; fi
  command -v redis-server >/dev/null 2>&1 \
    || die "Redis is not running on $REDIS_HOST:$REDIS_PORT and redis-server was not found.
  Install and start it, e.g.: apt-get install -y redis-server && redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no"
  mkdir -p "$RUN_DIR" "$LOG_DIR" "$REDIS_DIR"
  log "starting redis-server"
  redis-server --daemonize yes --bind "$REDIS_HOST" --port "$REDIS_PORT" --save "" --appendonly no \
    --dir "$REDIS_DIR" --pidfile "$REDIS_PID_FILE" --logfile "$REDIS_LOG" </dev/null >&2 8>&- 9>&- \
    || die "redis-server failed to start; see $REDIS_LOG"
  wait_for redis redis_up "$REDIS_LOG"
  log "redis ready"
}

# ---------------------------------------------------------------- provider simulator
# Our SInvoice look-alike (packages/provider-simulator): a Node process on a fixed port, in-memory
# state, started with the repository's tsx. INVOICE_STACK_SIMULATOR=0 leaves it out of up/status.
SIMULATOR_ENABLED="${INVOICE_STACK_SIMULATOR:-1}"
SIMULATOR_HOST=127.0.0.1
SIMULATOR_PORT="${INVOICE_STACK_SIMULATOR_PORT:-31150}"
SIMULATOR_PID_FILE="$RUN_DIR/provider-simulator.pid"
SIMULATOR_LOG="$LOG_DIR/provider-simulator.log"
SIMULATOR_PATTERN=provider-simulator/src/simulator.cli.ts

simulator_running() {
  local pid; pid="$(read_pid "$SIMULATOR_PID_FILE")"
  [[ -n "$pid" ]] && pid_alive "$pid" "$SIMULATOR_PATTERN"
}
simulator_ready() {
  simulator_running && curl -fsS -o /dev/null --max-time 2 "http://$SIMULATOR_HOST:$SIMULATOR_PORT/health" 2>/dev/null
}

# Starts the simulator (unless disabled or running) and waits until /health answers; on failure it
# stops what it started and dies with the log's tail.
start_simulator() {
  if [[ "$SIMULATOR_ENABLED" != 1 ]]; then log "provider simulator disabled (INVOICE_STACK_SIMULATOR=0)"; return 0; fi
  if simulator_running; then log "provider simulator already running (pid $(read_pid "$SIMULATOR_PID_FILE"))"; return 0; fi
  rm -f "$SIMULATOR_PID_FILE"
  command -v node >/dev/null 2>&1 || die "node is needed for the provider simulator"
  command -v curl >/dev/null 2>&1 || die "curl is needed to poll the provider simulator's readiness"
  [[ -e "$REPO_ROOT/node_modules/tsx" ]] || die "the provider simulator needs the workspace installed (pnpm install)"
  port_open "$SIMULATOR_HOST" "$SIMULATOR_PORT" && die "port $SIMULATOR_HOST:$SIMULATOR_PORT is already in use ($(port_owner "$SIMULATOR_PORT")); set INVOICE_STACK_SIMULATOR_PORT or stop it"
  mkdir -p "$LOG_DIR" "$RUN_DIR"
  # From the repository root, so `--import tsx` resolves the workspace's tsx.
  (cd "$REPO_ROOT" && launch "$SIMULATOR_PID_FILE" "$SIMULATOR_LOG" node --import tsx \
    "$REPO_ROOT/packages/provider-simulator/src/simulator.cli.ts" --host "$SIMULATOR_HOST" --port "$SIMULATOR_PORT") \
    || die "could not launch the provider simulator"
  printf '%s\n' "$SIMULATOR_PORT" >"$RUN_DIR/provider-simulator.info"
  local deadline=$(( $(now) + READY_TIMEOUT ))
  until simulator_ready; do
    if ! simulator_running || (( $(now) >= deadline )); then
      show_failure provider-simulator "$SIMULATOR_LOG" "did not answer GET /health on port $SIMULATOR_PORT"
      stop_simulator
      die "provider simulator did not start"
    fi
    sleep 0.2
  done
  log "provider simulator ready (pid $(read_pid "$SIMULATOR_PID_FILE")) — http://$SIMULATOR_HOST:$SIMULATOR_PORT (admin: /admin/report)"
}

stop_simulator() {
  stop_pids "provider-simulator:$SIMULATOR_PID_FILE:$SIMULATOR_PATTERN"
  rm -f "$RUN_DIR/provider-simulator.info"
}

# One status line; false when it should run and does not.
simulator_status() {
  if [[ "$SIMULATOR_ENABLED" != 1 ]]; then status_line simulator disabled - "$SIMULATOR_PORT" - "$SIMULATOR_LOG"; return 0; fi
  local pid; pid="$(read_pid "$SIMULATOR_PID_FILE")"
  if simulator_ready; then status_line simulator running "$pid" "$SIMULATOR_PORT" - "$SIMULATOR_LOG"
  elif simulator_running; then status_line simulator starting "$pid" "$SIMULATOR_PORT" - "$SIMULATOR_LOG"; return 1
  else status_line simulator stopped - "$SIMULATOR_PORT" - "$SIMULATOR_LOG"; return 1; fi
}

cmd_simulator() {
  case "${1:-}" in
    up)     with_lock; SIMULATOR_ENABLED=1 start_simulator ;;
    down)   with_lock; stop_simulator ;;
    status) SIMULATOR_ENABLED=1 simulator_status ;;
    *)      die "usage: stack/stack.sh simulator up|down|status" ;;
  esac
}

# ---------------------------------------------------------------- dev JWKS (merchant API tokens)
# The development JWKS (packages/cli/src/dev/jwks-server.cli.ts): serves the public half of a key
# pair made once per checkout under $STACK_DIR/dev-jwt (never committed), which `pnpm invoice dev
# token` signs with; ingest's JWKS_URL defaults to it outside staging/production.
# INVOICE_STACK_DEV_JWKS=0 leaves it out of up/status.
DEV_JWKS_ENABLED="${INVOICE_STACK_DEV_JWKS:-1}"
DEV_JWKS_HOST=127.0.0.1
DEV_JWKS_PORT="${INVOICE_STACK_DEV_JWKS_PORT:-31151}"
DEV_JWKS_PID_FILE="$RUN_DIR/dev-jwks.pid"
DEV_JWKS_LOG="$LOG_DIR/dev-jwks.log"
DEV_JWKS_PATTERN=cli/src/dev/jwks-server.cli.ts

dev_jwks_running() {
  local pid; pid="$(read_pid "$DEV_JWKS_PID_FILE")"
  [[ -n "$pid" ]] && pid_alive "$pid" "$DEV_JWKS_PATTERN"
}
dev_jwks_ready() {
  dev_jwks_running && curl -fsS -o /dev/null --max-time 2 "http://$DEV_JWKS_HOST:$DEV_JWKS_PORT/.well-known/jwks.json" 2>/dev/null
}

start_dev_jwks() {
  if [[ "$DEV_JWKS_ENABLED" != 1 ]]; then log "dev JWKS disabled (INVOICE_STACK_DEV_JWKS=0)"; return 0; fi
  if dev_jwks_running; then log "dev JWKS already running (pid $(read_pid "$DEV_JWKS_PID_FILE"))"; return 0; fi
  rm -f "$DEV_JWKS_PID_FILE"
  [[ -e "$REPO_ROOT/node_modules/tsx" ]] || die "the dev JWKS needs the workspace installed (pnpm install)"
  port_open "$DEV_JWKS_HOST" "$DEV_JWKS_PORT" && die "port $DEV_JWKS_HOST:$DEV_JWKS_PORT is already in use ($(port_owner "$DEV_JWKS_PORT")); set INVOICE_STACK_DEV_JWKS_PORT or stop it"
  mkdir -p "$LOG_DIR" "$RUN_DIR" "$STACK_DIR/dev-jwt"
  chmod 700 "$STACK_DIR/dev-jwt"
  (cd "$REPO_ROOT" && launch "$DEV_JWKS_PID_FILE" "$DEV_JWKS_LOG" node --import tsx \
    "$REPO_ROOT/packages/cli/src/dev/jwks-server.cli.ts" --host "$DEV_JWKS_HOST" --port "$DEV_JWKS_PORT" \
    --key-dir "$STACK_DIR/dev-jwt") || die "could not launch the dev JWKS"
  local deadline=$(( $(now) + READY_TIMEOUT ))
  until dev_jwks_ready; do
    if ! dev_jwks_running || (( $(now) >= deadline )); then
      show_failure dev-jwks "$DEV_JWKS_LOG" "did not answer GET /.well-known/jwks.json on port $DEV_JWKS_PORT"
      stop_dev_jwks
      die "dev JWKS did not start"
    fi
    sleep 0.2
  done
  log "dev JWKS ready (pid $(read_pid "$DEV_JWKS_PID_FILE")) — http://$DEV_JWKS_HOST:$DEV_JWKS_PORT/.well-known/jwks.json (tokens: pnpm invoice dev token)"
}

stop_dev_jwks() { stop_pids "dev-jwks:$DEV_JWKS_PID_FILE:$DEV_JWKS_PATTERN"; }

dev_jwks_status() {
  if [[ "$DEV_JWKS_ENABLED" != 1 ]]; then status_line dev-jwks disabled - "$DEV_JWKS_PORT" - "$DEV_JWKS_LOG"; return 0; fi
  local pid; pid="$(read_pid "$DEV_JWKS_PID_FILE")"
  if dev_jwks_ready; then status_line dev-jwks running "$pid" "$DEV_JWKS_PORT" - "$DEV_JWKS_LOG"
  elif dev_jwks_running; then status_line dev-jwks starting "$pid" "$DEV_JWKS_PORT" - "$DEV_JWKS_LOG"; return 1
  else status_line dev-jwks stopped - "$DEV_JWKS_PORT" - "$DEV_JWKS_LOG"; return 1; fi
}

cmd_dev_jwks() {
  case "${1:-}" in
    up)     with_lock; DEV_JWKS_ENABLED=1 start_dev_jwks ;;
    down)   with_lock; stop_dev_jwks ;;
    status) DEV_JWKS_ENABLED=1 dev_jwks_status ;;
    *)      die "usage: stack/stack.sh dev-jwks up|down|status" ;;
  esac
}

# ---------------------------------------------------------------- commands
with_lock() {  # serialise up/down (parallel test workers may call 'up' at once)
  mkdir -p "$STACK_DIR"
  exec 9>"$STACK_DIR/.lock"
  if command -v flock >/dev/null 2>&1; then
    flock -w 300 9 || die "could not take $STACK_DIR/.lock within 300s"
  fi
}

stop_launched_unless_up() {
  [[ "${UP_OK:-1}" == 1 ]] && return 0
  local c
  for c in "${LAUNCHED[@]+"${LAUNCHED[@]}"}"; do
    if [[ "$c" == kafka ]]; then stop_pids "kafka:$KAFKA_PID_FILE:kafka.Kafka"
    else stop_pids "apicurio:$APICURIO_PID_FILE:apicurio"; fi
  done
}

cmd_up() {
  local t0; t0="$(date +%s.%N)"
  with_lock
  mkdir -p "$RUN_DIR" "$LOG_DIR"
  ensure_postgres
  ensure_redis

  PENDING=()
  # What this call launched. Until 'up' succeeds, any exit (a failed readiness wait, or Kafka's
  # start failing after Apicurio was launched) stops them again, so a failed 'up' leaves no JVM
  # holding ports for the next run.
  LAUNCHED=()
  UP_OK=0
  trap stop_launched_unless_up EXIT
  # Apicurio first: its download/unpack is the larger one, and it boots while
  # Maven/StorageTool prepare Kafka.
  start_apicurio
  start_kafka

  local deadline=$(( $(now) + READY_TIMEOUT )) failed=0
  # Also wait for components that were running but not yet ready (e.g. a concurrent 'up').
  if [[ " ${PENDING[*]-} " != *" kafka "* ]] && kafka_running && ! kafka_ready; then PENDING+=(kafka); fi
  if [[ " ${PENDING[*]-} " != *" apicurio "* ]] && apicurio_running && ! apicurio_ready; then PENDING+=(apicurio); fi
  while ((${#PENDING[@]})); do
    local still=() c
    for c in "${PENDING[@]}"; do
      if "${c}_ready"; then
        log "$c ready"
      elif ! "${c}_running"; then
        if [[ "$c" == kafka ]]; then show_failure kafka "$KAFKA_LOG" "exited during startup"
        else show_failure apicurio "$APICURIO_LOG" "exited during startup"; fi
        failed=1
      elif (( $(now) >= deadline )); then
        if [[ "$c" == kafka ]]; then
          show_failure kafka "$KAFKA_LOG" "not ready after ${READY_TIMEOUT}s (no 'Kafka Server started' + open port $KAFKA_PORT)"
          stop_pids "kafka:$KAFKA_PID_FILE:kafka.Kafka"
        else
          show_failure apicurio "$APICURIO_LOG" "not ready after ${READY_TIMEOUT}s (GET /apis/ccompat/v7/subjects on port $APICURIO_PORT)"
          stop_pids "apicurio:$APICURIO_PID_FILE:apicurio"
        fi
        failed=1
      else
        still+=("$c")
      fi
    done
    PENDING=("${still[@]+"${still[@]}"}")
    if ((${#PENDING[@]})); then sleep 0.25; fi
  done
  ((failed == 0)) || die "stack did not come up; stopping what this call had started (logs in $LOG_DIR)"
  start_simulator
  start_dev_jwks
  UP_OK=1
  log "up in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')s — $KAFKA_HOST:$KAFKA_PORT (kafka), http://$APICURIO_HOST:$APICURIO_PORT/apis/ccompat/v7 (schema registry), $PG_HOST:$PG_PORT (postgres), $REDIS_HOST:$REDIS_PORT (redis)"
}

cmd_down() {
  with_lock
  stop_pids "kafka:$KAFKA_PID_FILE:kafka.Kafka" "apicurio:$APICURIO_PID_FILE:apicurio" \
            "redis:$REDIS_PID_FILE:redis-server"
  stop_simulator
  stop_dev_jwks
  if [[ -f "$PG_STARTED_FILE" ]]; then
    local ver; ver="$(cat "$PG_STARTED_FILE")"
    log "stopping PostgreSQL $ver (started by this script)"
    pg_ctlcluster --skip-systemctl-redirect "$ver" main stop </dev/null >&2 8>&- 9>&- || log "WARN: pg_ctlcluster $ver main stop failed"
    rm -f "$PG_STARTED_FILE"
  fi
  rm -rf "$KAFKA_DIR" "$REDIS_DIR" "$APICURIO_DIR"
  rm -f "$RUN_DIR/kafka.info" "$RUN_DIR/apicurio.info"
  log "down (logs kept in $LOG_DIR)"
}

status_line() {  # NAME STATE PID PORT VERSION LOG
  printf '%-9s %-8s pid=%-8s port=%-6s version=%-10s log=%s\n' "$@"
}

cmd_status() {
  local all=0 pid info ver port
  # kafka
  pid="$(read_pid "$KAFKA_PID_FILE")"; info="$(cat "$RUN_DIR/kafka.info" 2>/dev/null || true)"
  ver="${info%% *}"; port="$(awk '{print $2}' <<<"$info")"
  if kafka_ready; then status_line kafka running "$pid" "${port:-$KAFKA_PORT}" "${ver:--}" "$KAFKA_LOG"
  elif kafka_running; then status_line kafka starting "$pid" "${port:-$KAFKA_PORT}" "${ver:--}" "$KAFKA_LOG"; all=1
  else status_line kafka stopped - "$KAFKA_PORT" "$KAFKA_VERSION" "$KAFKA_LOG"; all=1; fi
  # apicurio
  pid="$(read_pid "$APICURIO_PID_FILE")"; info="$(cat "$RUN_DIR/apicurio.info" 2>/dev/null || true)"
  ver="${info%% *}"; port="$(awk '{print $2}' <<<"$info")"
  if apicurio_ready; then status_line apicurio running "$pid" "${port:-$APICURIO_PORT}" "${ver:--}" "$APICURIO_LOG"
  elif apicurio_running; then status_line apicurio starting "$pid" "${port:-$APICURIO_PORT}" "${ver:--}" "$APICURIO_LOG"; all=1
  else status_line apicurio stopped - "$APICURIO_PORT" "$APICURIO_VERSION" "$APICURIO_LOG"; all=1; fi
  # postgres
  local owner
  if pg_up; then
    ver="$(psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -XAtqc 'show server_version' 2>/dev/null | awk '{print $1}' || true)"
    pid="$(ss -ltnpH "sport = :$PG_PORT" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2 || true)"
    owner=external; [[ -f "$PG_STARTED_FILE" ]] && owner=/var/log/postgresql/postgresql-$(cat "$PG_STARTED_FILE")-main.log
    status_line postgres running "${pid:--}" "$PG_PORT" "${ver:--}" "$owner"
  else status_line postgres stopped - "$PG_PORT" - -; all=1; fi
  # redis
  if redis_up; then
    ver="$(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" info server 2>/dev/null | tr -d '\r' | sed -n 's/^redis_version://p' || true)"
    pid="$(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" info server 2>/dev/null | tr -d '\r' | sed -n 's/^process_id://p' || true)"
    owner=external; [[ -f "$REDIS_PID_FILE" ]] && owner="$REDIS_LOG"
    status_line redis running "${pid:--}" "$REDIS_PORT" "${ver:--}" "$owner"
  else status_line redis stopped - "$REDIS_PORT" - -; all=1; fi
  simulator_status || all=1
  dev_jwks_status || all=1
  return "$all"
}

cmd_env() {
  cat <<EOF
KAFKA_BROKERS=$KAFKA_HOST:$KAFKA_PORT
SCHEMA_REGISTRY_URL=http://$APICURIO_HOST:$APICURIO_PORT/apis/ccompat/v7
APICURIO_REGISTRY_URL=http://$APICURIO_HOST:$APICURIO_PORT/apis/registry/v3
PGHOST=$PG_HOST
PGPORT=$PG_PORT
PGUSER=postgres
DATABASE_URL=postgresql://postgres@$PG_HOST:$PG_PORT/invoice
REDIS_URL=redis://$REDIS_HOST:$REDIS_PORT
PROVIDER_SIMULATOR_URL=http://$SIMULATOR_HOST:$SIMULATOR_PORT
JWKS_URL=http://$DEV_JWKS_HOST:$DEV_JWKS_PORT/.well-known/jwks.json
INVOICE_STACK_DIR=$STACK_DIR
EOF
}

cmd_kafka_run_class() {
  (($# >= 1)) || die "usage: stack/stack.sh kafka-run-class <main-class> [args...]"
  mkdir -p "$LOG_DIR"
  ensure_kafka_libs
  local java jsa cds=()
  java="$(kafka_java)"
  # Reuse the broker's CDS archive (same JDK + classpath) when it exists: ~0.3 s faster per tool.
  if [[ "$CDS_ENABLED" == 1 ]]; then
    jsa="$(cds_archive "$KAFKA_HOME" "$java" "$(cat "$KAFKA_HOME/.complete")")"
    if [[ -s "$jsa" ]]; then cds=("-XX:SharedArchiveFile=$jsa"); fi
  fi
  # JVM warnings go to stderr (unified logging defaults to stdout), so stdout carries only
  # the tool's own output (e.g. the console consumer's records).
  # shellcheck disable=SC2086
  exec "$java" ${KAFKA_TOOLS_JAVA_OPTS:--Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC} \
    -Xlog:disable -Xlog:all=warning:stderr "${cds[@]+"${cds[@]}"}" \
    -Djava.awt.headless=true \
    "-Dlog4j2.configurationFile=$SCRIPT_DIR/kafka/tools-log4j2.properties" \
    -cp "$KAFKA_LIB/*" "$@"
}

usage() {
  sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
}

main() {
  local cmd="${1:-}"; (($#)) && shift
  case "$cmd" in
    up)              cmd_up "$@" ;;
    down)            cmd_down "$@" ;;
    status)          cmd_status "$@" ;;
    env)             cmd_env "$@" ;;
    kafka-run-class) cmd_kafka_run_class "$@" ;;
    simulator)       cmd_simulator "$@" ;;
    dev-jwks)        cmd_dev_jwks "$@" ;;
    -h|--help|help)  usage ;;
    *)               usage; exit 2 ;;
  esac
}

# Run only when executed: stack/cdc.sh sources this file for its helpers and settings.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then main "$@"; fi

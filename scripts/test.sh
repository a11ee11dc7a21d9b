#!/usr/bin/env bash
# The one test command (README "Quick start", and what .ci/run runs):
#   static checks -> brings the local stack up if it is not running -> unit + integration tests.
# A stack this script started is stopped again at the end (KEEP_STACK=1 leaves it running).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Wall time of each phase, printed at the end so growth is visible (issue 6).
phase_names=()
phase_secs=()
phase_started=$SECONDS
phase_done() { phase_names+=("$1"); phase_secs+=($((SECONDS - phase_started))); phase_started=$SECONDS; }
print_phases() {
  local i
  for i in "${!phase_names[@]}"; do printf '[test] phase %-14s %4d s\n' "${phase_names[$i]}" "${phase_secs[$i]}"; done
}

bash scripts/bootstrap.sh
bash scripts/ensure-chromium.sh   # the claim page's browser tests
bash scripts/ensure-prometheus.sh # promtool checks of the alert rules, the real-Prometheus test
export TURBO_TELEMETRY_DISABLED=1
phase_done install

echo "[test] lint and format (biome)"
pnpm exec biome ci . --colors=off
echo "[test] typecheck (tsc, every package)"
pnpm exec turbo run typecheck --output-logs=errors-only
pnpm exec tsc -p tsconfig.json   # the root's own files: cross-service tests, vitest config
echo "[test] unused files and dependencies (knip)"
pnpm exec knip --no-config-hints
echo "[test] Avro schemas stay BACKWARD compatible with their previous committed versions"
pnpm --silent schemas:check
echo "[test] Prometheus alert rules: syntax and unit tests (promtool, Debian package prometheus)"
promtool check rules ops/prometheus/alerts.yml
promtool test rules ops/prometheus/tests/*.yml
phase_done static-checks

started_stack=0
stop_stack() {
  if [ "$started_stack" = 1 ] && [ "${KEEP_STACK:-0}" != 1 ]; then
    bash stack/stack.sh down || true
  fi
}
trap stop_stack EXIT
if ! bash stack/stack.sh status >/dev/null 2>&1; then
  echo "[test] local stack not running: starting it"
  started_stack=1
  bash stack/stack.sh up
fi

# ---- CDC stack (issue 12, services/cdc-sync): a logical-replication PostgreSQL cluster of its own and
# Kafka Connect with Debezium (stack/cdc.sh), started once for the whole run and stopped at the end
# when this script started it (KEEP_STACK=1 leaves it running). The test files reuse it.
started_cdc=0
stop_cdc() {
  if [ "$started_cdc" = 1 ] && [ "${KEEP_STACK:-0}" != 1 ]; then bash stack/cdc.sh down || true; fi
}
trap 'stop_cdc; stop_stack' EXIT
if ! bash stack/cdc.sh status >/dev/null 2>&1; then
  echo "[test] CDC stack not running: starting it"
  started_cdc=1
  bash stack/cdc.sh up
fi
# ---- end of the CDC stack block
phase_done stack

mkdir -p .stack
report=.stack/vitest-report.json
rm -f "$report"
status=0
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@" || status=$?

phase_done tests

# The ten slowest tests (growth and tests near their timeouts show here first), the phase times,
# then one plain closing line CI can read, whatever the runner prints above it.
print_phases
if [ -f "$report" ]; then
  node -e '
    const r = require(process.argv[1]);
    const rows = r.testResults.flatMap((file) =>
      file.assertionResults.map((t) => ({ ms: t.duration ?? 0, file: file.name.replace(process.cwd() + "/", ""), title: t.title })),
    );
    rows.sort((a, b) => b.ms - a.ms);
    console.log("[test] ten slowest tests:");
    for (const t of rows.slice(0, 10)) console.log(`  ${String(Math.round(t.ms)).padStart(7)} ms  ${t.file} > ${t.title}`);
    const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
  ' "$PWD/$report"
fi
exit "$status"

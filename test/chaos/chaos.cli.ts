/**
 * `pnpm chaos [scenario…] [--short]`: runs the chaos scenarios (all by default) one after another,
 * prints a line per scenario and its details, and ends with one JSON line:
 * {"scenarios":…,"passed":…,"lost":0,"duplicates":0,"recovery_s":{…}}. Exit status 0 only if every
 * scenario passed. Needs the local stack (`pnpm stack:up`) and the issuer.
 */
import { SCENARIOS, type ScenarioResult } from "./scenarios.ts";

const args = process.argv.slice(2);
const short = args.includes("--short");
const names = args.filter((a) => !a.startsWith("--"));
const unknown = names.filter((n) => !(n in SCENARIOS));
if (unknown.length > 0) {
  process.stderr.write(
    `unknown scenario(s): ${unknown.join(", ")}; known: ${Object.keys(SCENARIOS).join(", ")}\n`,
  );
  process.exit(2);
}
const selected = names.length > 0 ? names : Object.keys(SCENARIOS);
const log = (line: string) => process.stderr.write(`[chaos] ${line}\n`);

const results: ScenarioResult[] = [];
for (const name of selected) {
  const scenario = SCENARIOS[name];
  if (!scenario) continue;
  log(`${name}: starting (${short ? "short" : "long"})`);
  const started = Date.now();
  const result = await scenario({ short, log });
  results.push(result);
  process.stdout.write(
    `${JSON.stringify({
      scenario: name,
      passed: result.passed,
      seconds: Math.round((Date.now() - started) / 1000),
      recovery_s: result.recoverySeconds,
      orders: result.checks?.orders,
      lost: result.lost,
      duplicates: result.duplicates,
      dlq: result.checks?.dlq,
      notes: result.notes,
      problems: result.problems.slice(0, 10),
    })}\n`,
  );
}

const summary = {
  scenarios: results.length,
  passed: results.filter((r) => r.passed).length,
  lost: results.reduce((sum, r) => sum + Math.max(0, r.lost), 0),
  duplicates: results.reduce((sum, r) => sum + Math.max(0, r.duplicates), 0),
  recovery_s: Object.fromEntries(results.map((r) => [r.name, r.recoverySeconds])),
};
process.stdout.write(`${JSON.stringify(summary)}\n`);
process.exit(summary.passed === summary.scenarios ? 0 : 1);

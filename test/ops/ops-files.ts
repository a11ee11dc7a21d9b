/**
 * What the ops tests read: the Grafana dashboards' panel queries, the metric names the code
 * registers (and docs/metrics.md names), and a PromQL metric-name extractor.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface PanelQuery {
  dashboard: string;
  panel: string;
  refId: string;
  expr: string;
}

interface Dashboard {
  uid: string;
  title: string;
  templating: { list: Array<{ name: string; type: string; query?: unknown }> };
  panels: Array<{ id: number; title: string; datasource?: { uid?: string }; targets?: Target[] }>;
}
interface Target {
  refId: string;
  expr: string;
  datasource?: { uid?: string };
}

export function loadDashboards(): Dashboard[] {
  const dir = join(ROOT, "ops/grafana");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as Dashboard);
}

export function panelQueries(dashboards = loadDashboards()): PanelQuery[] {
  return dashboards.flatMap((d) =>
    d.panels.flatMap((p) =>
      (p.targets ?? []).map((t) => ({ dashboard: d.uid, panel: p.title, refId: t.refId, expr: t.expr })),
    ),
  );
}

export interface VariableQuery {
  dashboard: string;
  name: string;
  query: string;
}

/** The dashboards' query variables (not the datasource one), with their `label_values(...)` query. */
export function variableQueries(dashboards = loadDashboards()): VariableQuery[] {
  return dashboards.flatMap((d) =>
    d.templating.list
      .filter((v) => v.type === "query")
      .map((v) => {
        const q = v.query as { query?: string } | string | undefined;
        return { dashboard: d.uid, name: v.name, query: typeof q === "string" ? q : (q?.query ?? "") };
      }),
  );
}

/**
 * The query as Grafana sends it with every variable at "All" (allValue `.*`) and a rate interval
 * that holds at least a few samples of the test's 1-second scrape interval.
 */
export function substitute(expr: string, rateInterval = "30s"): string {
  return expr.replaceAll("$__rate_interval", rateInterval).replace(/\$\{?[a-z_]+\}?/g, ".*");
}

const PROMQL_WORDS = new Set([
  "by",
  "without",
  "and",
  "or",
  "unless",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "offset",
  "bool",
  "inf",
  "nan",
]);

/** Metric names a PromQL expression selects: identifiers outside strings, matchers and groupings, not called. */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ")
    .replace(/\[[^\]]*\]/g, " ");
  const names = new Set<string>();
  for (const m of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const word = m[0];
    const start = m.index ?? 0;
    const rest = stripped.slice(start + word.length);
    if (/^\s*\(/.test(rest) || PROMQL_WORDS.has(word.toLowerCase())) continue;
    names.add(word);
  }
  return [...names].sort();
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name === "testing") continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) out.push(path);
  }
  return out;
}

/**
 * Every series name the code registers: `invoiceCounter` (invoice_<stem>_total), `invoiceHistogram`
 * (invoice_<stem>_seconds_bucket|_sum|_count), `invoiceGauge` (invoice_<stem>), prom-client metrics
 * registered under their own name (`new Gauge({ name: "kafka_…" })`), and the names docs/metrics.md
 * lists in backticks. Node process metrics come from prom-client's defaults (see the test).
 */
export function registeredMetricNames(): Set<string> {
  const names = new Set<string>();
  const files = ["packages", "services"].flatMap((top) =>
    readdirSync(join(ROOT, top)).flatMap((pkg) => {
      try {
        return sourceFiles(join(ROOT, top, pkg, "src"));
      } catch {
        return [];
      }
    }),
  );
  const helper = /invoice(Counter|Histogram|Gauge)(?:<[^>]*>)?\(\s*[\w.]+,\s*\{\s*name:\s*"([a-z0-9_]+)"/g;
  const direct = /new (Counter|Histogram|Gauge|Summary)(?:<[^>]*>)?\(\s*\{\s*name:\s*"([a-z0-9_:]+)"/g;
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    for (const [, kind, stem] of text.matchAll(helper)) {
      if (kind === "Counter") names.add(`invoice_${stem}_total`);
      if (kind === "Gauge") names.add(`invoice_${stem}`);
      if (kind === "Histogram")
        for (const s of ["_bucket", "_sum", "_count"]) names.add(`invoice_${stem}_seconds${s}`);
    }
    for (const [, kind, name] of text.matchAll(direct)) {
      names.add(name as string);
      if (kind === "Counter" && !name?.endsWith("_total")) names.add(`${name}_total`);
      if (kind === "Histogram") for (const s of ["_bucket", "_sum", "_count"]) names.add(`${name}${s}`);
    }
  }
  try {
    const doc = readFileSync(join(ROOT, "docs/metrics.md"), "utf8");
    for (const [, name] of doc.matchAll(/`((?:invoice|kafka)_[a-z0-9_]+)(?:\{[^`]*\})?`/g))
      names.add(name as string);
  } catch {
    // docs/metrics.md arrives with the CLI and lag metrics branch.
  }
  return names;
}

/**
 * The Grafana dashboards against a real Prometheus (Debian's `prometheus` 2.42, the binary promtool
 * comes with): every panel query parses and names only metrics the code registers; then, with every
 * service running as a real process (ops-world.ts) under a small load that goes through each path a
 * panel shows (issued, retried, refused, dead-lettered, a provider outage opening the breaker,
 * claims submitted and expired, CDC applied/unchanged/stale/invalid, drift, webhooks accepted,
 * refused and delivered), every target of every panel returns data from Prometheus, every variable
 * lists values, the consumer lag Prometheus scraped equals the lag computed from Kafka's admin API,
 * and the alert expressions see what happened. A panel without data fails the test.
 */

import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { stackEnv, waitFor } from "@invoice/testing";
import { collectDefaultMetrics, Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  loadDashboards,
  metricNames,
  panelQueries,
  ROOT,
  registeredMetricNames,
  substitute,
  variableQueries,
} from "./ops-files.ts";
import {
  CLAIMING_COMPANY,
  COMPANY_BUYER,
  claimsRequest,
  claimToken,
  devSeries,
  invoiceStatuses,
  labelValues,
  newOrderId,
  pay,
  postWebhook,
  promMax,
  promQuery,
  promRange,
  type Series,
  type SignedDelivery,
  sendMerchantChanges,
  sendPoison,
  untilInvoices,
} from "./ops-load.ts";
import { hasPrometheus, type OpsWorld, startOpsWorld } from "./ops-world.ts";

const execFileAsync = promisify(execFile);

/** The datasource variable's reference, as Grafana writes it (not a JS template). */
const DATASOURCE_UID = ["$", "{datasource}"].join("");

describe("dashboards: static checks", () => {
  const dashboards = loadDashboards();

  it("have a Prometheus datasource variable that every panel and query uses", () => {
    expect(dashboards.length).toBe(5);
    for (const d of dashboards) {
      expect(d.templating.list).toContainEqual(
        expect.objectContaining({ name: "datasource", type: "datasource", query: "prometheus" }),
      );
      for (const p of d.panels) {
        expect(p.datasource?.uid, `${d.uid}/${p.title}`).toBe(DATASOURCE_UID);
        expect(p.targets?.length, `${d.uid}/${p.title}`).toBeGreaterThan(0);
        for (const t of p.targets ?? []) expect(t.datasource?.uid).toBe(DATASOURCE_UID);
      }
    }
  });

  it("query only metric names the code registers (or docs/metrics.md lists)", () => {
    const known = registeredMetricNames();
    const defaults = new Registry();
    collectDefaultMetrics({ register: defaults });
    for (const m of defaults.getMetricsAsArray()) {
      known.add(m.name);
      for (const s of ["_bucket", "_sum", "_count", "_total"]) known.add(`${m.name}${s}`);
    }
    const unknown = panelQueries().flatMap((q) =>
      metricNames(q.expr)
        .filter((n) => !known.has(n))
        .map((n) => `${q.dashboard}/${q.panel}: ${n}`),
    );
    expect(unknown).toEqual([]);
  });

  it("take the max of the lag gauges across replicas, never their sum", () => {
    // Every replica of a service reads its group's whole lag from the admin API and exports it
    // (packages/runtime consumer-lag-metrics.ts): two ingest replicas each say the group's lag, so a
    // sum over them doubles it. The alert takes the max; so must a panel.
    const summed = panelQueries()
      .filter((q) => /\b(sum|count)\s*(by\s*\([^)]*\)\s*)?\(\s*kafka_/.test(q.expr))
      .map((q) => `${q.dashboard}/${q.panel}: ${q.expr}`);
    expect(summed).toEqual([]);
  });
});

/**
 * What the panels must show beyond "a series exists": for the panel's target, a series with these
 * labels whose value reached `min` (default: above 0) during the run. Gauges, and the rates of
 * counters exported at 0 from the start (a rate cannot show a counter's first step from "no series"):
 * DLQ by reason, invoice-issued/-failed, retries.
 */
const SHOWN: Array<{ panel: string; refId?: string; labels?: Record<string, string>; min?: number }> = [
  ...["deserialization", "non-retryable"].map((reason) => ({
    panel: "invoice-pipeline/DLQ records by topic and reason (last hour)",
    labels: { reason },
  })),
  ...["invoice-issued", "invoice-failed", "send-issued", "retry-scheduled"].map((outcome) => ({
    panel: "invoice-pipeline/Issuance outcomes (issuer)",
    labels: { outcome },
  })),
  { panel: "invoice-pipeline/Invoices FAILED ratio" },
  { panel: "invoice-pipeline/Retries scheduled (issuer → retry topic)" },
  {
    panel: "invoice-pipeline/Records processed by topic and outcome",
    labels: { service: "issuer", outcome: "done" },
  },
  {
    panel: "invoice-pipeline/Records in flight by state",
    labels: { service: "issuer", state: "held" },
    min: 1,
  },
  { panel: "invoice-consumer-lag/Lag by group and topic", min: 1 },
  { panel: "invoice-consumer-lag/Lag by partition", min: 1 },
  { panel: "invoice-consumer-lag/Lag per partition (now)", min: 1 },
  {
    panel: "invoice-provider/Breaker state by endpoint and operation",
    labels: { operation: "issue" },
    min: 2,
  },
  {
    panel: "invoice-provider/Calls by operation and outcome",
    labels: { operation: "issue", outcome: "issued" },
  },
  {
    panel: "invoice-cdc/TaxInfo drift: merchants by kind (last run)",
    labels: { kind: "TAXINFO_MISSING" },
    min: 1,
  },
  { panel: "invoice-cdc/Live merchants with an invalid tax code", min: 1 },
];

/**
 * What the load must have counted under the metric and labels a panel reads (at least `min`, default
 * 1, at some point): every event the test drives, including the one-offs a rate panel shows only
 * from their second occurrence on (their series appear with the first).
 */
const COUNTED: Array<{ panel: string; metric: string; labels?: Record<string, string>; min?: number }> = [
  ...["send-rejected", "send-unknown", "send-not-sent"].map((outcome) => ({
    panel: "invoice-pipeline/Issuance outcomes (issuer)",
    metric: "invoice_issuer_outcomes_total",
    labels: { outcome },
  })),
  {
    panel: "invoice-pipeline/Records processed by topic and outcome",
    metric: "invoice_records_processed_total",
    labels: { service: "issuer", outcome: "dead_lettered" },
    min: 2,
  },
  {
    panel: "invoice-pipeline/Ingest publishes to invoice.issuance by outcome",
    metric: "invoice_ingest_publish_total",
    labels: { outcome: "acknowledged" },
  },
  ...["true", "false"].map((duplicate) => ({
    panel: "invoice-pipeline/Webhooks accepted by route",
    metric: "invoice_webhook_accepted_total",
    labels: { route: "merchant", duplicate },
  })),
  ...["missing_signature", "signature_mismatch", "json"].map((reason) => ({
    panel: "invoice-pipeline/Webhook rejections by route and reason",
    metric: "invoice_webhook_rejections_total",
    labels: { route: "merchant", reason },
    min: 5,
  })),
  ...["RETRY", "DELIVERED"].map((outcome) => ({
    panel: "invoice-pipeline/Outbound webhook deliveries by outcome",
    metric: "invoice_webhook_delivery_attempts_total",
    labels: { outcome },
  })),
  ...["PROVIDER_RATE_LIMITED", "PROVIDER_SERIES_NOT_FOUND", "PROVIDER_SERVER_ERROR"].map((code) => ({
    panel: "invoice-provider/Failures by code",
    metric: "invoice_provider_calls_total",
    labels: { operation: "issue", outcome: "failed", code },
  })),
  ...["accepted", "invalid"].map((outcome) => ({
    panel: "invoice-claims/Claim submissions by outcome",
    metric: "invoice_claim_submissions_total",
    labels: { outcome },
  })),
  {
    panel: "invoice-claims/Claim events published by type",
    metric: "invoice_claim_events_published_total",
    labels: { type: "ClaimSubmitted", path: "relay" },
  },
  {
    panel: "invoice-claims/Claim events published by type",
    metric: "invoice_claim_events_published_total",
    labels: { type: "ClaimExpired" },
  },
  {
    panel: "invoice-claims/Claim event publish failures",
    metric: "invoice_claim_event_publish_failures_total",
    labels: { type: "ClaimSubmitted" },
  },
  { panel: "invoice-claims/Claims expired", metric: "invoice_claims_expired_total" },
  {
    panel: "invoice-claims/Expiry delay p95 (deadline → ClaimExpired acknowledged)",
    metric: "invoice_claim_expiry_delay_seconds_count",
  },
  {
    panel: "invoice-claims/Requests rate-limited (429) by limit",
    metric: "invoice_claim_requests_rate_limited_total",
    labels: { limit: "not_found" },
  },
  {
    panel: "invoice-claims/Unknown or malformed tokens",
    metric: "invoice_claim_unknown_tokens_total",
    min: 3,
  },
  ...[
    { op: "c", outcome: "applied" },
    { op: "u", outcome: "applied" },
    { op: "u", outcome: "unchanged" },
    { op: "u", outcome: "stale" },
    { outcome: "dead_letter" },
  ].map((labels) => ({
    panel: "invoice-cdc/CDC events by op and outcome",
    metric: "invoice_cdc_events_total",
    labels,
  })),
  {
    panel: "invoice-cdc/Apply lag p50 / p95 (commit at commerce → TaxInfo written)",
    metric: "invoice_cdc_apply_lag_seconds_count",
    min: 3,
  },
  {
    panel: "invoice-cdc/Drift reconciliation runs by result",
    metric: "invoice_taxinfo_drift_runs_total",
    labels: { result: "drift" },
  },
  {
    panel: "invoice-cdc/Mapping errors and invalid tax codes received",
    metric: "invoice_cdc_mapping_errors_total",
    labels: { field: "merchantId", code: "MERCHANT_ID_MISSING" },
  },
  {
    panel: "invoice-cdc/Mapping errors and invalid tax codes received",
    metric: "invoice_cdc_invalid_tax_codes_total",
    labels: { issue: "INVALID_LENGTH" },
  },
];

/** At least one point with a number: a quantile over a histogram that observed nothing is NaN, not data. */
const hasData = (series: Series[] | undefined) =>
  (series ?? []).some((s) => s.values.some(([, v]) => v !== "NaN"));

describe.skipIf(!hasPrometheus)("dashboards against a real Prometheus scraping the services", () => {
  let world: OpsWorld;
  const orders = {
    parked: newOrderId(),
    refused: newOrderId(),
    issued: [newOrderId(), newOrderId(), newOrderId()],
    claimed: newOrderId(),
    expired: newOrderId(),
    outage: Array.from({ length: 12 }, newOrderId),
  };

  beforeAll(async () => {
    world = await startOpsWorld();
  }, 300_000); // six processes (tsx) and Prometheus starting on a loaded 2-core machine

  afterAll(async () => {
    await world?.stop();
  }, 120_000);

  it("scrapes every service", async () => {
    await waitFor(
      async () =>
        (await promQuery(world, "up == 1")).data?.result.length === Object.keys(world.services).length,
      { timeoutMs: 60_000, description: "every target up" },
    );
  });

  // Each stage waits on its outcome through Kafka, PostgreSQL and the provider: minutes on a loaded machine.
  const LOAD_TIMEOUT_MS = 480_000;
  it("drives the load: issued, parked on Retry-After, refused, claimed, expired, outage, poison, CDC, webhooks", {
    timeout: LOAD_TIMEOUT_MS,
  }, async () => {
    const issuerLogs = () => world.services.issuer.logs;
    // CDC first: it shares nothing with the issuer and converges while the rest runs.
    await sendMerchantChanges(world);

    // A 429 with Retry-After of an hour (nothing created, so the wait is honoured as given): the
    // order's retry is parked on the retry topic (held, uncommitted), so one partition keeps a lag —
    // what the lag comparison measures besides zeros.
    world.sim.configure({ errors: { rate: 1, status: 429, retryAfterSeconds: 3_600 } });
    await pay(world, orders.parked, COMPANY_BUYER);
    await waitFor(
      () =>
        issuerLogs().some(
          (l) => l.msg === "[_handleIssuanceFailure] Scheduling retry" && l.orderId === orders.parked,
        ),
      { timeoutMs: 90_000, intervalMs: 250, description: "the parked order's retry scheduled" },
    );
    world.sim.configure({ errors: { rate: 0, retryAfterSeconds: 1 } });

    // A series the provider does not know: refused for good → FAILED, dead-lettered.
    world.sim.configure({ series: { "0100109106": ["1/001|C99ZZZ"] } });
    await pay(world, orders.refused, COMPANY_BUYER);
    await untilInvoices(world, [orders.refused], "FAILED");
    world.sim.configure({ series: { "0100109106": devSeries() } });

    // Paid orders with a buyer: issued and delivered to the merchant's endpoint (500 once, then 200);
    // one webhook sent twice (a duplicate answered 202).
    const deliveries = [];
    for (const orderId of orders.issued) deliveries.push(await pay(world, orderId, COMPANY_BUYER));
    const repeated = deliveries[0] as SignedDelivery;
    expect(await postWebhook(world, repeated.body, { timestamp: repeated.timestamp })).toBe(202);
    await untilInvoices(world, orders.issued, "ISSUED");

    // Two payments without a buyer: claims open. One buyer claims (an invalid form first); the other
    // claim is left to expire.
    await pay(world, orders.claimed);
    await pay(world, orders.expired);
    const token = await claimToken(world, orders.claimed);
    await claimToken(world, orders.expired);
    const buyer = "198.51.100.2";
    expect(await claimsRequest(world, token, buyer, { ...CLAIMING_COMPANY, taxCode: "bad" })).toBe(400);
    expect(await claimsRequest(world, token, buyer, CLAIMING_COMPANY)).toBeLessThan(300);

    // Someone guessing tokens from another address: unknown tokens, then 429 for that address.
    const prober = "203.0.113.9";
    const probes = [];
    for (let i = 0; i < 5; i++) probes.push(await claimsRequest(world, `unknown-token-${i}`, prober));
    expect(probes).toContain(429);

    // Webhooks refused: no signature, another secret (401s), signed but not JSON (400).
    for (let i = 0; i < 5; i++) {
      const url = `http://127.0.0.1:${world.ports.ingest}/v1/api/webhooks/merchant`;
      const unsigned = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      expect(unsigned.status).toBe(401);
      expect(await postWebhook(world, "{}", { secret: "x".repeat(40) })).toBe(401);
      expect(await postWebhook(world, "not json")).toBe(400);
    }

    await sendPoison(world);

    // A provider outage with orders arriving: sends fail, retries are scheduled, the issue breaker
    // opens; after the outage every one of them is issued.
    world.sim.startOutage({ durationMs: 60_000, mode: "503" });
    for (const orderId of orders.outage) await pay(world, orderId, COMPANY_BUYER);
    await waitFor(
      async () =>
        (await promMax(world, 'max_over_time(invoice_provider_breaker_state{operation="issue"}[10m])')) === 2,
      { timeoutMs: 120_000, intervalMs: 500, description: "the issue breaker open" },
    ).finally(() => world.sim.endOutage());
    await untilInvoices(world, orders.outage, "ISSUED", 180_000);

    // The claimed order is issued to the company; the other one, after its deadline, anonymously.
    await untilInvoices(world, [orders.claimed, orders.expired], "ISSUED", 180_000);
    const { rows } = await world.db.query<{ orderId: string; buyerTaxCode: string | null }>(
      `SELECT "orderId", "buyerTaxCode" FROM "invoice"."Invoice" WHERE "orderId" = ANY($1)`,
      [[orders.claimed, orders.expired]],
    );
    expect(Object.fromEntries(rows.map((r) => [r.orderId, r.buyerTaxCode]))).toEqual({
      [orders.claimed]: CLAIMING_COMPANY.taxCode,
      [orders.expired]: null,
    });
    await waitFor(() => world.received.some((r) => r.status === 200), {
      timeoutMs: 60_000,
      description: "a webhook delivered to the merchant's endpoint",
    });
    // Still parked: its retry is due in an hour.
    expect((await invoiceStatuses(world, [orders.parked])).get(orders.parked)).not.toBe("ISSUED");
  });

  it("returns data for every target of every panel (variables at All)", { timeout: 180_000 }, async () => {
    const queries = panelQueries();
    expect(queries.length).toBeGreaterThan(0);
    const empty = new Set<string>();
    await waitFor(
      async () => {
        empty.clear();
        for (const q of queries) {
          const answer = await promRange(world, substitute(q.expr));
          expect(answer, `${q.dashboard}/${q.panel}: ${q.expr}`).toMatchObject({ status: "success" });
          if (!hasData(answer.data?.result)) empty.add(`${q.dashboard}/${q.panel} [${q.refId}]`);
        }
        return empty.size === 0;
      },
      { timeoutMs: 120_000, intervalMs: 2_000, description: "data for every panel" },
    ).catch((error: unknown) => {
      throw new Error(`panels without data: ${[...empty].join(", ")}`, { cause: error });
    });

    // And they show what happened, not only zeros.
    const selector = (metric: string, labels: Record<string, string> = {}) =>
      `${metric}{${Object.entries(labels)
        .map(([k, v]) => `${k}="${v}"`)
        .join(",")}}`;
    const unseen: string[] = [];
    for (const want of SHOWN) {
      const q = queries.find(
        (x) => `${x.dashboard}/${x.panel}` === want.panel && x.refId === (want.refId ?? "A"),
      );
      expect(q, want.panel).toBeDefined();
      const answer = await promRange(world, substitute(q?.expr ?? ""));
      const matching = (answer.data?.result ?? []).filter((series) =>
        Object.entries(want.labels ?? {}).every(([k, v]) => series.metric[k] === v),
      );
      const peak = Math.max(...matching.flatMap((series) => series.values.map(([, v]) => Number(v) || 0)));
      if (!(want.min === undefined ? peak > 0 : peak >= want.min))
        unseen.push(`shown: ${want.panel} ${JSON.stringify(want.labels ?? {})}: peak ${peak}`);
    }
    for (const want of COUNTED) {
      const reads = queries.filter((x) => `${x.dashboard}/${x.panel}` === want.panel);
      const family = want.metric.replace(/_(count|total)$/, "");
      expect(
        reads.some((x) => x.expr.includes(family)),
        `${want.panel} reads ${want.metric}`,
      ).toBe(true);
      const peak = await promMax(world, `max_over_time(${selector(want.metric, want.labels)}[1h])`);
      if (!(peak >= (want.min ?? 1)))
        unseen.push(`counted: ${selector(want.metric, want.labels)} for ${want.panel}: ${peak}`);
    }
    expect(unseen).toEqual([]);
  });

  it("exports no unbounded label values: no order id, claim token, transactionUuid or raw path", async () => {
    const params = new URLSearchParams({
      "match[]": '{__name__=~".+"}',
      start: String(world.startedAt / 1000),
    });
    const response = await fetch(`${world.promUrl}/api/v1/series?${params}`);
    const series = ((await response.json()) as { data?: Array<Record<string, string>> }).data ?? [];
    expect(series.length).toBeGreaterThan(100);
    const { rows } = await world.db.query<{ id: string }>(
      `SELECT token::text AS id FROM "invoice"."Claim" UNION ALL SELECT "transactionUuid"::text FROM "invoice"."Invoice"`,
    );
    expect(rows.length).toBeGreaterThan(10);
    const secrets = [...rows.map((r) => r.id), ...Object.values(orders).flat(), "unknown-token-"];
    const leaked = new Set<string>();
    const values = new Map<string, Set<string>>();
    for (const labels of series) {
      for (const [name, value] of Object.entries(labels)) {
        if (secrets.some((secret) => value.includes(secret)))
          leaked.add(`${labels.__name__} ${name}=${value}`);
        values.set(name, (values.get(name) ?? new Set()).add(value));
      }
    }
    expect([...leaked]).toEqual([]);
    // Every label but the metric name, buckets and partitions takes a handful of values here.
    const wide = [...values]
      .filter(([name, set]) => !["__name__", "le", "partition"].includes(name) && set.size > 30)
      .map(([name, set]) => `${name}: ${set.size}`);
    expect(wide).toEqual([]);
  });

  it("lists values for every dashboard variable", async () => {
    for (const v of variableQueries()) {
      const values = await labelValues(world, substitute(v.query));
      expect(values.length, `${v.dashboard} $${v.name}: ${v.query}`).toBeGreaterThan(0);
    }
  });

  it("invoice outcomes count each invoice once: every issued order, the refused one", async () => {
    const issued = orders.issued.length + orders.outage.length + 2;
    await waitFor(
      async () =>
        (await promMax(world, 'invoice_issuer_outcomes_total{outcome="invoice-issued"}')) === issued &&
        (await promMax(world, 'invoice_issuer_outcomes_total{outcome="invoice-failed"}')) === 1,
      { timeoutMs: 30_000, intervalMs: 500, description: `${issued} invoice-issued and 1 invoice-failed` },
    );
  });

  it("kafka_consumergroup_lag equals the lag computed from Kafka's admin API", {
    timeout: 120_000,
  }, async () => {
    const groups = Object.values(world.groups);
    /** committed offsets vs end offsets, per group/topic/partition, for the topics each group committed on. */
    async function adminLag(): Promise<Record<string, number>> {
      const lag: Record<string, number> = {};
      for (const group of groups) {
        const committed = await world.admin.groupCommittedOffsets(group);
        for (const topic of new Set(committed.map((c) => c.topic))) {
          for (const end of await world.admin.topicOffsets(topic)) {
            const c = committed.find((x) => x.topic === topic && x.partition === end.partition)?.offset;
            const from = c === undefined || c === "-1" ? end.low : c;
            lag[`${group}/${topic}/${end.partition}`] = Number(BigInt(end.high) - BigInt(from));
          }
        }
      }
      return lag;
    }
    async function scrapedLag(): Promise<Record<string, number>> {
      // The last sample of each series, not the instant value: a scrape that timed out on a loaded
      // machine marks a target's series stale, and an instant query then returns none of them.
      const answer = await promQuery(
        world,
        `last_over_time(kafka_consumergroup_lag{consumergroup=~"${groups.join("|")}"}[30s])`,
      );
      return Object.fromEntries(
        (answer.data?.result ?? []).map((s) => [
          `${s.metric.consumergroup}/${s.metric.topic}/${s.metric.partition}`,
          Number(s.value[1]),
        ]),
      );
    }
    let last: { admin: Record<string, number>; scraped: Record<string, number> } | undefined;
    const agreed = await waitFor(
      async () => {
        const admin = await adminLag();
        const scraped = await scrapedLag();
        last = { admin, scraped };
        return JSON.stringify(sorted(admin)) === JSON.stringify(sorted(scraped)) ? admin : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 1_000, description: "Prometheus' lag equal to the admin API's" },
    ).catch((error: unknown) => {
      throw new Error(`lag differs: ${JSON.stringify(last)}`, { cause: error });
    });
    // The issuer's group on both of its topics, the delivery consumer on the events topic, cdc-sync's.
    const topicsOf = (group: string) =>
      new Set(
        Object.keys(agreed)
          .filter((k) => k.startsWith(`${group}/`))
          .map((k) => k.split("/")[1]),
      );
    expect(topicsOf(world.groups.issuer)).toEqual(new Set([world.topics.issuance, world.topics.retry]));
    expect(topicsOf(world.groups.ingestWebhooks)).toEqual(new Set([world.topics.events]));
    expect(topicsOf(world.groups.cdc)).toEqual(new Set([world.topics.cdc]));
    // Not all zero: the parked retry holds one retry partition back.
    const retryLag = Object.entries(agreed).filter(([k]) =>
      k.startsWith(`${world.groups.issuer}/${world.topics.retry}/`),
    );
    expect(retryLag.some(([, lag]) => lag > 0)).toBe(true);
    // And the per-topic sums.
    const sums = await promQuery(world, `kafka_consumergroup_lag_sum{consumergroup=~"${groups.join("|")}"}`);
    for (const s of sums.data?.result ?? []) {
      const prefix = `${s.metric.consumergroup}/${s.metric.topic}/`;
      const expected = Object.entries(agreed)
        .filter(([k]) => k.startsWith(prefix))
        .reduce((sum, [, lag]) => sum + lag, 0);
      expect(Number(s.value[1]), prefix).toBe(expected);
    }
  });

  it("the alert expressions see what happened", async () => {
    const rules = (
      parse(readFileSync(join(ROOT, "ops/prometheus/alerts.yml"), "utf8")) as {
        groups: Array<{ rules: Array<{ alert: string; expr: string }> }>;
      }
    ).groups.flatMap((g) => g.rules);
    const expr = (alert: string) => rules.find((r) => r.alert === alert)?.expr as string;
    for (const rule of rules)
      expect(await promQuery(world, rule.expr), rule.alert).toMatchObject({ status: "success" });
    // Verbatim: two records dead-lettered (the poison, the refused order), drift found by the last run.
    const dlq = await promQuery(world, expr("InvoiceDlqGrowth"));
    expect(new Set(dlq.data?.result.map((s) => s.metric.reason))).toEqual(
      new Set(["deserialization", "non-retryable"]),
    );
    const drift = await promQuery(world, expr("InvoiceTaxInfoCdcDrift"));
    expect(drift.data?.result.map((s) => s.metric.kind)).toContain("TAXINFO_MISSING");
    // Under their thresholds here: the same selectors, without the threshold.
    const signatures = await promQuery(
      world,
      'sum by (route) (increase(invoice_webhook_rejections_total{reason=~"missing_signature|malformed_signature|timestamp_out_of_tolerance|signature_mismatch"}[1h]))',
    );
    expect(signatures.data?.result).toEqual([expect.objectContaining({ metric: { route: "merchant" } })]);
    expect(expr("InvoiceIssuanceErrorSpike")).toContain(
      'invoice_issuer_outcomes_total{outcome="invoice-failed"}',
    );
    const failedRatio = await promMax(
      world,
      'sum(increase(invoice_issuer_outcomes_total{outcome="invoice-failed"}[1h])) / sum(increase(invoice_issuer_outcomes_total{outcome=~"invoice-issued|invoice-failed"}[1h]))',
    );
    expect(failedRatio).toBeGreaterThan(0);
    expect(failedRatio).toBeLessThan(0.2);
  });

  // Last: it changes what the counters above compare with.
  it("a FAILED order replayed from the DLQ with `invoice dlq replay` is issued, counted as invoice-issued", {
    timeout: 240_000,
  }, async () => {
    const issued = await promMax(world, 'invoice_issuer_outcomes_total{outcome="invoice-issued"}');
    // The cause is fixed (the provider knows the series again since the load); the runbook's replay.
    const stack = stackEnv();
    const replay = await execFileAsync(
      process.execPath,
      [
        "--import",
        "tsx",
        "packages/cli/src/invoice.cli.ts",
        "dlq",
        "replay",
        "--order",
        orders.refused,
        "--json",
      ],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          KAFKA_BROKERS: stack.kafkaBrokers.join(","),
          SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
          DATABASE_URL: world.databaseUrl,
          INVOICE_ISSUANCE_TOPIC: world.topics.issuance,
          INVOICE_ISSUANCE_DLQ_TOPIC: world.topics.dlq,
          INVOICE_OPERATOR: "ops-test",
        },
      },
    );
    expect(JSON.parse(replay.stdout)).toMatchObject({ sent: 1, failed: 0, status: "COMPLETED" });
    await untilInvoices(world, [orders.refused], "ISSUED", 120_000);
    const { rows } = await world.db.query<{ actor: string }>(
      `SELECT actor FROM "invoice"."InvoiceAuditTracing" WHERE "orderId" = $1 AND "eventType" = 'ReplayRequested'`,
      [orders.refused],
    );
    expect(rows.map((r) => r.actor)).toEqual(["ops:ops-test"]);
    // The FAILED invoice issued in the end: one more invoice-issued, still the one invoice-failed.
    await waitFor(
      async () =>
        (await promMax(world, 'invoice_issuer_outcomes_total{outcome="invoice-issued"}')) === issued + 1 &&
        (await promMax(world, 'invoice_issuer_outcomes_total{outcome="invoice-failed"}')) === 1,
      { timeoutMs: 30_000, intervalMs: 500, description: `${issued + 1} invoice-issued, 1 invoice-failed` },
    );
  });
});

function sorted(record: Record<string, number>): Array<[string, number]> {
  return Object.entries(record).sort(([a], [b]) => a.localeCompare(b));
}

// The main job's workload (scripts/main.sh starts it once every service is ready): a few thousand
// orders across several merchants through the real pipeline — commerce Avro payment events and
// signed webhooks into ingest, buyers claiming through the claims API, claims expiring, refunds before
// and after issuance, provider errors and one short provider outage (the simulator's admin API) — then
// the summary table from invoice.events, the retry/DLQ topics, the database and the simulator's
// report. Exit status 0 only if every check held. The summary's JSON goes to MAIN_SUMMARY_FILE
// (main.sh prints it as its last line) or, without one, to stdout as the last line.
//   node --import tsx scripts/main-job/main-job.ts   (environment: see readOptions)
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { parseDatabaseUrl } from "@invoice/db";
import { validateTaxCode } from "@invoice/domain";
import { createAvroCodec, createKafkaJsClient, silentLogger } from "@invoice/kafka";
import pg from "pg";
import {
  commerceWriter,
  http,
  merchantApi,
  merchantToken,
  simulatorAdmin,
  webhookSender,
  withRetries,
} from "./pipeline-clients.ts";
import { type OrderPlan, planWorkload } from "./plan.ts";
import { Progress } from "./progress.ts";
import { formatSummary, orderDone, summarize, summaryJson } from "./summary.ts";
import { watchRun } from "./watch-run.ts";

function readOptions(env: NodeJS.ProcessEnv) {
  const required = (name: string) => {
    const value = env[name];
    if (!value) throw new Error(`${name} must be set (scripts/main.sh sets it)`);
    return value;
  };
  const int = (name: string, fallback: number) => {
    const value = Number(env[name] ?? fallback);
    if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number`);
    return value;
  };
  return {
    orders: int("MAIN_ORDERS", 2000),
    merchants: int("MAIN_MERCHANTS", 4),
    claimWindowSeconds: Math.max(5, int("MAIN_CLAIM_WINDOW_SECONDS", 60)),
    /** Concurrent webhook requests. */
    concurrency: Math.max(1, int("MAIN_CONCURRENCY", 16)),
    /** Share of provider calls answered 503 during the run (a fifth of them still create the invoice). */
    providerErrorRate: Number(env.MAIN_PROVIDER_ERROR_RATE ?? 0.03),
    outageMs: int("MAIN_OUTAGE_MS", 5_000),
    drainTimeoutMs: int("MAIN_DRAIN_TIMEOUT_SECONDS", 600) * 1000,
    ingestUrl: required("MAIN_INGEST_URL"),
    claimsUrl: required("MAIN_CLAIMS_URL"),
    claimLinkBase: env.CLAIMS_LINK_BASE_URL ?? `${required("MAIN_CLAIMS_URL")}/v1/api/claims/`,
    simulatorUrl: required("PROVIDER_SIMULATOR_URL"),
    webhookSecret: required("WEBHOOK_SECRET"),
    databaseUrl: required("DATABASE_URL"),
    brokers: (env.KAFKA_BROKERS ?? "127.0.0.1:9092").split(","),
    registryUrl: env.SCHEMA_REGISTRY_URL ?? "http://127.0.0.1:8081/apis/ccompat/v7",
    metricsUrls: (env.MAIN_METRICS_URLS ?? "").split(",").filter(Boolean),
    summaryFile: env.MAIN_SUMMARY_FILE,
  };
}

// A seller tax code of the run's own (a valid one: 9 random digits and their check digit). Invoice
// numbers are unique per seller and series in the database, and the run's simulator numbers from 1:
// a seller of an earlier run on the same database would collide. It also keeps the simulator's
// report for this run apart from anything else the issuer sends there (other runs' leftovers).
function runSellerTaxCode(): string {
  for (;;) {
    const stem = String(100_000_000 + (randomBytes(4).readUInt32BE(0) % 900_000_000));
    for (let d = 0; d <= 9; d++) {
      if (validateTaxCode(`${stem}${d}`).ok) return `${stem}${d}`;
    }
  }
}
const SELLER_TAX_CODE = runSellerTaxCode();
const BUYER = {
  kind: "company",
  name: "Công ty TNHH Hóa Đơn Việt",
  taxCode: "0100109106",
  address: "Số 1 Tràng Tiền, Hà Nội",
  email: "ketoan@example.vn",
};
const COMMERCE_BUYER = {
  buyerType: "company",
  taxCode: BUYER.taxCode,
  companyName: BUYER.name,
  fullName: null,
  personalId: null,
  address: BUYER.address,
  email: BUYER.email,
  phone: null,
};

const started = Date.now();
const options = readOptions(process.env);
const runId = `${Date.now().toString(36)}${randomBytes(2).toString("hex")}`;
const plan = planWorkload({ runId, ...options });
const progress = new Progress();
const kafka = createKafkaJsClient({
  brokers: options.brokers,
  clientId: `main-job-${runId}`,
  logger: silentLogger,
});
const codec = createAvroCodec({ url: options.registryUrl });
const database = parseDatabaseUrl(options.databaseUrl);
const db = new pg.Pool({
  connectionString: database.connectionString,
  max: 2,
  options: `-c search_path="${database.schema}"`,
});
const simulator = simulatorAdmin(options.simulatorUrl);
const merchantIds = plan.merchants.map((m) => m.merchantId);
// A showcase merchant with a day-long window: its one order keeps a claim open after the run.
const showcase = {
  merchantId: `MJ-${runId}-DEMO`,
  orderId: `MJ-${runId}-DEMO-1`,
  claimWindowSeconds: 86_400,
  invoiceSeries: "C26TZZ",
};
const allMerchants = [...merchantIds, showcase.merchantId];

// ---------------------------------------------------------------- 1. merchants
progress.stage("merchants", allMerchants.length);
const adminToken = await merchantToken(
  allMerchants,
  ["settings:write", "credentials:write", "settings:read"],
  3_600,
);
const api = merchantApi(options.ingestUrl, adminToken);
for (const m of [...plan.merchants, { ...showcase, displayName: `Cửa hàng trưng bày (main job ${runId})` }]) {
  // The seller's tax info is what cdc-sync keeps from commerce's Merchant table; written here directly.
  await db.query(
    `INSERT INTO "TaxInfo" ("merchantId","taxCode","legalName","address","email","sourceLsn","sourceEventAt","syncedAt","updatedAt")
     VALUES ($1,$2,$3,$4,$5,0,now(),now(),now()) ON CONFLICT ("merchantId") DO NOTHING`,
    [
      m.merchantId,
      SELLER_TAX_CODE,
      `Công ty TNHH ${m.displayName}`,
      "Số 2 Hàng Bài, Hà Nội",
      "seller@example.vn",
    ],
  );
  await api("PUT", `/merchants/${m.merchantId}/settings`, {
    claimWindowSeconds: m.claimWindowSeconds,
    provider: "sinvoice",
    templateCode: "1/001",
    invoiceSeries: m.invoiceSeries,
  });
  await api("PUT", `/merchants/${m.merchantId}/provider-credentials`, {
    provider: "sinvoice",
    username: `seller-${m.merchantId}`,
    password: randomBytes(12).toString("hex"),
  });
  await db.query(`UPDATE "MerchantProfile" SET "displayName" = $2 WHERE "merchantId" = $1`, [
    m.merchantId,
    m.displayName,
  ]);
  progress.tick();
}
progress.done();

// ---------------------------------------------------------------- 2. watch, then send
const watcher = await watchRun(kafka, codec, `MJ-${runId}-`);
const producer = kafka.producer();
await producer.connect();
const commerce = await commerceWriter(codec, producer);
const webhook = webhookSender(options.ingestUrl, options.webhookSecret);
const iso = (ms: number) => new Date(ms).toISOString();
const line = (o: OrderPlan) => ({
  sku: `SKU-${o.unitPriceVnd}`,
  name: "Trà sữa trân châu",
  unit: "ly",
  quantity: String(o.quantity),
  unitPrice: o.unitPriceVnd,
  discount: 0,
  vatRate: "10",
  reducedRateEligible: false,
});

async function sendPayment(o: OrderPlan, buyer: boolean): Promise<void> {
  const paidAt = Date.now();
  if (o.channel === "webhook") {
    const l = line(o);
    await webhook({
      eventId: `${o.orderId}-pay`,
      type: "payment.succeeded",
      occurredAt: iso(paidAt),
      merchantId: o.merchantId,
      orderId: o.orderId,
      data: {
        paymentId: `${o.orderId}-P`,
        amountVnd: o.amountVnd,
        paidAt: iso(paidAt),
        lines: [
          {
            sku: l.sku,
            name: l.name,
            unit: l.unit,
            quantity: l.quantity,
            unitPriceVnd: l.unitPrice,
            vatCategory: "10",
          },
        ],
        ...(buyer ? { buyer: BUYER } : {}),
      },
    });
  } else {
    await commerce("commerce.payment.succeeded", [
      {
        key: o.orderId,
        value: {
          eventId: `${o.orderId}-pay`,
          orderId: o.orderId,
          merchantId: o.merchantId,
          paymentId: `${o.orderId}-P`,
          amount: o.amountVnd,
          currency: "VND",
          paidAt,
          items: [line(o)],
          invoiceRequest: buyer && o.channel === "avro" ? COMMERCE_BUYER : null,
        },
      },
    ]);
  }
  watcher.observation(o.orderId).paymentAt = Date.now();
}

async function sendOrder(o: OrderPlan): Promise<void> {
  const buyer = o.buyerCase === "checkout" || o.buyerCase === "refunded_after";
  if (buyer && o.channel === "request-then-avro") {
    // The buyer's details first (a signed webhook), the payment after (commerce Avro).
    await webhook({
      eventId: `${o.orderId}-req`,
      type: "invoice.requested",
      occurredAt: iso(Date.now()),
      merchantId: o.merchantId,
      orderId: o.orderId,
      data: { buyer: BUYER },
    });
  }
  await sendPayment(o, buyer);
}

// Reactions to what invoice.events says: a buyer claims, a refund arrives.
const byId = new Map(plan.orders.map((o) => [o.orderId, o]));
const address = await withRetries(
  () => http("GET", `${options.claimsUrl}/v1/api/administrative-units/provinces`),
  "provinces",
);
const province = ((address.body as { provinces: Array<{ code: string }> }).provinces[0] as { code: string })
  .code;
const communes = await withRetries(
  () => http("GET", `${options.claimsUrl}/v1/api/administrative-units/${province}/communes`),
  "communes",
);
const commune = ((communes.body as { communes: Array<{ code: string }> }).communes[0] as { code: string })
  .code;
let reactionErrors = 0;
const reactions: Array<Promise<void>> = [];
let buyerIp = 0;
const react = (what: () => Promise<void>) => {
  reactions.push(
    what().catch((error: unknown) => {
      reactionErrors++;
      progress.note(`reaction failed: ${error instanceof Error ? error.message : String(error)}`);
    }),
  );
};
watcher.onClaimOpened((orderId, token) => {
  const o = byId.get(orderId);
  if (o?.buyerCase === "claimed") {
    buyerIp++;
    // Each buyer from an address of their own (the claims service trusts one proxy hop in the main job).
    const forwarded = `10.${(buyerIp >> 16) & 255}.${(buyerIp >> 8) & 255}.${buyerIp & 255}`;
    react(async () => {
      const result = await withRetries(
        () =>
          http("POST", `${options.claimsUrl}/v1/api/claims/${token}`, {
            headers: { "x-forwarded-for": forwarded },
            body: {
              buyerType: "company",
              taxCode: BUYER.taxCode,
              name: BUYER.name,
              street: "Số 1 Tràng Tiền",
              provinceCode: province,
              communeCode: commune,
              email: BUYER.email,
            },
          }),
        `claim ${orderId}`,
      );
      if (result.status !== 202)
        throw new Error(`claim ${orderId}: HTTP ${result.status} ${JSON.stringify(result.body)}`);
      watcher.observation(orderId).claimSubmitted = true;
    });
  } else if (o?.buyerCase === "refunded_before") {
    react(() =>
      commerce("commerce.payment.refunded", [
        {
          key: o.orderId,
          value: {
            eventId: `${o.orderId}-refund`,
            orderId: o.orderId,
            merchantId: o.merchantId,
            refundId: `${o.orderId}-R`,
            amount: o.amountVnd,
            full: true,
            refundedAt: Date.now(),
          },
        },
      ]),
    );
  }
});
watcher.onIssued((orderId) => {
  const o = byId.get(orderId);
  if (o?.buyerCase !== "refunded_after") return;
  react(() =>
    webhook({
      eventId: `${o.orderId}-refund`,
      type: "payment.refunded",
      occurredAt: iso(Date.now()),
      merchantId: o.merchantId,
      orderId: o.orderId,
      data: { refundId: `${o.orderId}-R`, amountVnd: Math.round(o.amountVnd / 2), full: false },
    }),
  );
});

// Provider weather for the run: lognormal latency, a few 503s (some of them after creating the invoice,
// so a resend must look the key up first), and one short outage once 40 % of the orders are in.
await simulator.configure({
  latency: { kind: "lognormal", medianMs: 40, sigma: 0.5, maxMs: 1_000 },
  errors: { rate: options.providerErrorRate, status: 503, createRate: 0.2, retryAfterSeconds: 1 },
});
progress.stage("send", plan.orders.length, () => watcher.status());
let next = 0;
let outageStarted = false;
await Promise.all(
  Array.from({ length: options.concurrency }, async () => {
    while (next < plan.orders.length) {
      const o = plan.orders[next++] as OrderPlan;
      if (!outageStarted && next >= plan.orders.length * 0.4 && options.outageMs > 0) {
        outageStarted = true;
        await simulator.outage(options.outageMs);
        progress.note(`provider outage for ${options.outageMs} ms`);
      }
      await sendOrder(o);
      progress.tick();
    }
  }),
);
await sendPayment(
  {
    orderId: showcase.orderId,
    merchantId: showcase.merchantId,
    buyerCase: "claimed",
    channel: "webhook",
    unitPriceVnd: 50_000,
    quantity: 1,
    amountVnd: 55_000,
  },
  false,
);
progress.done();

// ---------------------------------------------------------------- 3. drain
const doneCount = () =>
  plan.orders.filter((o) => orderDone(o.buyerCase, watcher.observations.get(o.orderId))).length;
progress.stage("drain", plan.orders.length, () => watcher.status());
const drainDeadline = Date.now() + options.drainTimeoutMs;
while (Date.now() < drainDeadline) {
  progress.set(doneCount());
  if (doneCount() === plan.orders.length && watcher.observations.get(showcase.orderId)?.claimToken) break;
  await new Promise((r) => setTimeout(r, 500));
}
await Promise.all(reactions);
// Late duplicates or DLQ records would show up within a few seconds more.
await new Promise((r) => setTimeout(r, 3_000));
progress.set(doneCount());
progress.done();

// ---------------------------------------------------------------- 4. summary
const report = (await simulator.report()) as {
  duplicates: Array<{ supplierTaxCode: string }>;
  sellers: Record<string, { issued: number }>;
  counters: { faults: { errors: number; timeouts: number; outageRejected: number } };
};
const issuedRows = await db
  .query<{ n: string }>(
    `SELECT count(*) AS n FROM "Invoice" WHERE "merchantId" = ANY($1) AND "deletedAt" IS NULL AND status::text IN ('ISSUED','ADJUSTED','REPLACED')`,
    [merchantIds],
  )
  .then((r) => Number(r.rows[0]?.n ?? 0))
  .catch(() => null);
const claimRows = await db
  .query<{ status: string; n: string }>(
    `SELECT status::text AS status, count(*) AS n FROM "Claim" WHERE "merchantId" = ANY($1) GROUP BY 1 ORDER BY 1`,
    [merchantIds],
  )
  .then((r) => Object.fromEntries(r.rows.map((row) => [row.status, Number(row.n)])))
  .catch(() => ({}));
const summary = summarize({
  plan,
  observations: watcher.observations,
  retries: watcher.counts.retries,
  dlq: watcher.counts.dlq,
  provider: {
    // The showcase order is not part of the plan; it stays unissued while its claim is open.
    issued: report.sellers[SELLER_TAX_CODE]?.issued ?? 0,
    duplicateKeys: report.duplicates.filter((d) => d.supplierTaxCode === SELLER_TAX_CODE).length,
    faults: report.counters.faults.errors + report.counters.faults.timeouts,
    outageRejected: report.counters.faults.outageRejected,
  },
  databaseIssued: issuedRows,
  databaseClaims: claimRows,
  elapsedMs: Date.now() - started,
});
if (reactionErrors > 0) {
  summary.checks.push({
    name: "every claim and refund call answered",
    ok: false,
    detail: `${reactionErrors} failed`,
  });
}
const ok = summary.checks.every((c) => c.ok);
const readToken = await merchantToken(
  allMerchants,
  ["invoices:read", "settings:read", "webhooks:read"],
  86_400,
);
const showcaseToken = watcher.observations.get(showcase.orderId)?.claimToken;
const out = process.stderr;
out.write(
  `\n== main job summary (run ${runId}, ${plan.merchants.length} merchants) ==\n${formatSummary(summary)}\n`,
);
out.write(`\n== try it ==\n`);
out.write(
  `merchant API      ${options.ingestUrl}/v1/api (OpenAPI: ${options.ingestUrl}/v1/api/openapi.json)\n`,
);
out.write(
  `webhooks          ${options.ingestUrl}/v1/api/webhooks/merchant (X-Signature, services/ingest/README.md)\n`,
);
out.write(`claims API        ${options.claimsUrl}/v1/api/claims/{token}\n`);
out.write(
  `open claim page   ${showcaseToken ? `${options.claimLinkBase}${showcaseToken}` : "(its ClaimOpened did not arrive)"}\n`,
);
out.write(`provider report   ${options.simulatorUrl}/admin/report\n`);
for (const m of options.metricsUrls) out.write(`metrics           ${m.replace("=", "  ")}\n`);
out.write(
  `merchant token    (24 h, merchants ${merchantIds[0]} … ${showcase.merchantId}; invoices:read settings:read webhooks:read)\n${readToken}\n`,
);
out.write(
  `\n  TOKEN=<the token above>\n  curl -sS -H "authorization: Bearer $TOKEN" '${options.ingestUrl}/v1/api/merchants/${merchantIds[0]}/invoices?limit=3'\n\n`,
);
const json = summaryJson(summary);
if (options.summaryFile) writeFileSync(options.summaryFile, `${json}\n`);
else process.stdout.write(`${json}\n`);

await watcher.stop();
await producer.disconnect();
await db.end();
process.exit(ok ? 0 : 1);

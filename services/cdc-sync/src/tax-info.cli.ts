// Ops entry for TaxInfo (the ops CLI of issue 13 wraps it):
//   pnpm --filter @invoice/cdc-sync tax-info resync <merchantId> [--dry-run] [--actor ops:<user>]
//   pnpm --filter @invoice/cdc-sync tax-info reconcile
// Configuration is cdc-sync's own (config.ts): DATABASE_URL, CDC_COMMERCE_DATABASE_URL (required for
// resync), CDC_COMMERCE_MERCHANT_TABLE, CDC_MERCHANT_COLUMN_MAPPING, APP_ENV_INVOICE_WORKER_ID.
// Prints one JSON object on stdout; exit 0 on success, 1 on failure, 2 on a usage error.
import { parseArgs } from "node:util";
import { createPrismaClient, parseDatabaseUrl } from "@invoice/db";
import { acquireWorkerIdLease } from "@invoice/ids";
import { createLogger, createMetrics } from "@invoice/observability";
import { loadCdcSyncConfig } from "./config.ts";
import { commerceSourceFromConfig } from "./drift/commerce-merchant-source.ts";
import { createDriftMetrics, reconcileTaxInfo } from "./drift/reconcile-tax-info.ts";
import { resyncMerchant } from "./resync/resync-merchant.ts";
import { createPrismaTaxInfoStore } from "./store/prisma-tax-info-store.ts";
import { DEFAULT_COLUMN_MAPPING } from "./tax/column-mapping.ts";

const USAGE = "usage: tax-info resync <merchantId> [--dry-run] [--actor ops:<user>] | tax-info reconcile";

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { "dry-run": { type: "boolean", default: false }, actor: { type: "string" } },
  });
  const [command, merchantId] = positionals;
  if (command !== "resync" && command !== "reconcile") {
    console.error(USAGE);
    return 2;
  }
  if (command === "resync" && !merchantId) {
    console.error(USAGE);
    return 2;
  }
  const config = loadCdcSyncConfig(process.env);
  const { cdc, infrastructure, identity } = config;
  // Logs go to stderr: stdout carries only the result.
  const logger = createLogger({
    service: "cdc-sync-cli",
    level: config.runtime.logLevel,
    destination: process.stderr,
  });
  const mapping = cdc.mapping ?? DEFAULT_COLUMN_MAPPING;
  const { schema } = parseDatabaseUrl(infrastructure.databaseUrl);
  const prisma = createPrismaClient({ databaseUrl: infrastructure.databaseUrl, maxConnections: 2 });
  const source = commerceSourceFromConfig(cdc, mapping);
  try {
    if (command === "reconcile") {
      const metrics = createDriftMetrics(createMetrics({ service: "cdc-sync-cli", defaultMetrics: false }));
      const report = await reconcileTaxInfo({
        prisma,
        mapping,
        source,
        logger,
        metrics,
        schema,
        pageSize: cdc.driftPageSize,
      });
      console.log(
        JSON.stringify({ command, checked: report.checked, byKind: report.byKind, drifts: report.drifts }),
      );
      return 0;
    }
    if (!source) {
      console.error("tax-info resync reads commerce's Merchant table: set CDC_COMMERCE_DATABASE_URL");
      return 2;
    }
    // A leased worker id, as the services take one (ADR 0012): the re-sync's audit ids never collide
    // with those of a running cdc-sync.
    const lease = await acquireWorkerIdLease({
      databaseUrl: infrastructure.databaseUrl,
      preferred: identity.workerId,
      connectionTimeoutMs: 5_000,
      logger,
    });
    try {
      const store = createPrismaTaxInfoStore({ prisma, ids: lease.generator, schema });
      const result = await resyncMerchant({
        merchantId: merchantId as string,
        source,
        store,
        mapping,
        logger,
        actor: values.actor ?? `ops:${process.env.USER ?? "unknown"}`,
        dryRun: values["dry-run"],
      });
      console.log(JSON.stringify({ command, ...result }));
      return result.outcome === "source-behind" ? 1 : 0;
    } finally {
      await lease.release();
    }
  } finally {
    await source?.close();
    await prisma.$disconnect();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`tax-info failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);

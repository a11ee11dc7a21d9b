// cdc-sync: consumes Debezium change events of commerce's Merchant table and applies real tax-info
// changes to TaxInfo and MerchantProfile.metadata.tax (docs/adr/0015-cdc-sync.md); runs the TaxInfo
// drift check on an interval.
// Run modes: worker, migrate (database migrations + seed, topics, schemas; then exits).
import { consumerGroupId } from "@invoice/config";
import { parseDatabaseUrl } from "@invoice/db";
import { installSignalHandlers } from "@invoice/lifecycle";
import { type Dependency, launch, runMain, startService } from "@invoice/runtime";
import { loadCdcSyncConfig } from "./config.ts";
import { createMerchantCdcConsumer } from "./consumer/merchant-cdc.temporary-consumer.ts";
import { createCommerceMerchantSource } from "./drift/commerce-merchant-source.ts";
import { createReconcileWorker } from "./drift/reconcile.worker.ts";
import { createDriftMetrics } from "./drift/reconcile-tax-info.ts";
import { createAvroEnvelopeDecoder } from "./envelope/avro-envelope-decoder.ts";
import { createRecordDecoder } from "./envelope/record-decoder.ts";
import { createCdcMetrics } from "./handler/cdc-metrics.ts";
import { createMerchantCdcHandler } from "./handler/merchant-cdc.handler.ts";
import { createPrismaTaxInfoStore } from "./store/prisma-tax-info-store.ts";
import { DEFAULT_COLUMN_MAPPING } from "./tax/column-mapping.ts";

/** What /ready waits for before this service takes traffic. */
const NEEDS: Dependency[] = ["postgres", "kafka"];

runMain("cdc-sync", async () => {
  const launched = await launch({
    service: "cdc-sync",
    modes: ["worker"],
    argv: process.argv.slice(2),
    env: process.env,
    loadConfig: loadCdcSyncConfig,
  });
  if (!launched) return;
  const { config, logger } = launched;
  const { cdc, identity, infrastructure } = config;
  const mapping = cdc.mapping ?? DEFAULT_COLUMN_MAPPING;
  const { schema } = parseDatabaseUrl(infrastructure.databaseUrl);
  const service = await startService({ config, fullConfig: config, logger, needs: NEEDS });
  const { prisma, kafka, kafkaAdmin } = service.deps;
  if (!prisma || !kafka || !kafkaAdmin) throw new Error("cdc-sync needs postgres and kafka clients");

  // Optional direct read of commerce's table: drift against the source, re-sync. The mapping is
  // checked against the table at start, so a renamed column is an error the operator sees at once.
  const source = cdc.commerceDatabaseUrl
    ? createCommerceMerchantSource({
        databaseUrl: cdc.commerceDatabaseUrl,
        table: cdc.commerceMerchantTable,
        mapping,
      })
    : undefined;
  if (source) {
    service.shutdown.register({ name: "commerce database", stop: () => source.close() });
    const missing = await source.missingColumns().catch((err) => {
      logger.warn({ err }, "commerce Merchant table not readable at start; the drift check will retry");
      return [];
    });
    if (missing.length > 0) {
      logger.error(
        { missing, table: cdc.commerceMerchantTable },
        "CDC_MERCHANT_COLUMN_MAPPING names columns the commerce Merchant table does not have",
      );
    }
  }

  const handle = createMerchantCdcHandler({
    decode: createRecordDecoder({
      format: cdc.valueFormat,
      avro: createAvroEnvelopeDecoder({
        url: infrastructure.schemaRegistryUrl,
        clientId: identity.kafkaClientId,
      }),
    }),
    store: createPrismaTaxInfoStore({ prisma, ids: service.ids, schema }),
    mapping,
    logger,
    metrics: createCdcMetrics(service.metrics),
  });
  const consumer = createMerchantCdcConsumer({
    kafka,
    admin: kafkaAdmin,
    topic: cdc.merchantTopic,
    dlqTopic: cdc.dlqTopic,
    groupId: cdc.consumerGroup ?? consumerGroupId(identity.serviceCode, "CDC_SYNC"),
    handle,
    logger,
  });
  service.shutdown.register({ name: "merchant cdc consumer", weight: 3, stop: () => consumer.stop() });
  await consumer.start();

  const drift = createReconcileWorker({
    prisma,
    mapping,
    source,
    logger,
    metrics: createDriftMetrics(service.metrics),
    intervalMs: cdc.driftIntervalMs,
    pageSize: cdc.driftPageSize,
    schema,
  });
  service.shutdown.register({ name: "taxinfo drift check", stop: () => drift.stop() });
  drift.start();
  installSignalHandlers(service.shutdown, { logger });
});

// cdc-sync: consumes Debezium change events of commerce's Merchant table and applies real tax-info
// changes to TaxInfo and MerchantProfile.metadata.tax (docs/adr/0015-cdc-sync.md); runs the TaxInfo
// drift check on an interval.
// Run modes: worker, migrate (database migrations + seed, topics, schemas; then exits).
// This file is the service's composition root (ADR 0009): it reads top to bottom as its wiring.
import { consumerGroupId } from "@invoice/config";
import { parseDatabaseUrl } from "@invoice/db";
import {
  addConsumerLagMetrics,
  createIds,
  createKafka,
  createPostgres,
  createService,
  launch,
  runMain,
} from "@invoice/runtime";
import { loadCdcSyncConfig } from "./config.ts";
import { createMerchantCdcConsumer } from "./consumer/merchant-cdc.temporary-consumer.ts";
import { commerceSourceFromConfig } from "./drift/commerce-merchant-source.ts";
import { createReconcileWorker } from "./drift/reconcile.worker.ts";
import { createDriftMetrics } from "./drift/reconcile-tax-info.ts";
import { createAvroEnvelopeDecoder } from "./envelope/avro-envelope-decoder.ts";
import { createRecordDecoder } from "./envelope/record-decoder.ts";
import { createCdcMetrics } from "./handler/cdc-metrics.ts";
import { createMerchantCdcHandler } from "./handler/merchant-cdc.handler.ts";
import { createPrismaTaxInfoStore } from "./store/prisma-tax-info-store.ts";
import { DEFAULT_COLUMN_MAPPING } from "./tax/column-mapping.ts";

runMain("cdc-sync", async () => {
  // 1. Configuration (any problem refuses the start, naming the variable), logger and run mode;
  //    `migrate` runs to completion inside launch() and leaves nothing to start.
  const launched = await launch(
    { service: "cdc-sync", modes: ["worker"], loadConfig: loadCdcSyncConfig },
    process,
  );
  if (!launched) return;
  const { config, logger } = launched;
  const { cdc, identity, infrastructure } = config;
  const service = createService({ config, logger });
  const mapping = cdc.mapping ?? DEFAULT_COLUMN_MAPPING;
  const { schema } = parseDatabaseUrl(infrastructure.databaseUrl);

  // 2. Clients, each with its /ready check; closed in the last shutdown phase, after everything above.
  const prisma = service.addClient(createPostgres(config)).client;
  const kafka = service.addClient(createKafka(config, logger));
  // Audit-row ids on a leased worker id (ADR 0012): waits for PostgreSQL, refuses the start without it.
  const ids = service.addClient(await createIds(config, { logger, metrics: service.metrics })).client;
  // Optional direct read of commerce's table: drift against the source, re-sync. The mapping is
  // checked against the table at start, so a renamed column is an error the operator sees at once.
  const source = commerceSourceFromConfig(cdc, mapping);
  if (source) {
    service.addShutdownStep({ name: "commerce database", phase: "close", stop: () => source.close() });
    const missing = await source.missingColumns().catch((err: unknown) => {
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

  // 3. The Merchant change-event consumer (temporary until @invoice/processing: see its header) and
  //    the drift check, both stopped with the intake.
  const handle = createMerchantCdcHandler({
    decode: createRecordDecoder({
      format: cdc.valueFormat,
      avro: createAvroEnvelopeDecoder({
        url: infrastructure.schemaRegistryUrl,
        clientId: identity.kafkaClientId,
      }),
    }),
    store: createPrismaTaxInfoStore({ prisma, ids, schema }),
    mapping,
    logger,
    metrics: createCdcMetrics(service.metrics),
  });
  const groupId = cdc.consumerGroup ?? consumerGroupId(identity.serviceCode, "CDC_SYNC");
  // kafka_consumergroup_lag{consumergroup,topic,partition} of the Merchant consumer on /metrics.
  await addConsumerLagMetrics(service, kafka, [groupId], logger);
  const consumer = createMerchantCdcConsumer({
    kafka: kafka.client,
    admin: kafka.admin,
    topic: cdc.merchantTopic,
    dlqTopic: cdc.dlqTopic,
    groupId,
    handle,
    logger,
  });
  // /ready fails only once the consumer stopped for good; while it waits for the Merchant topic
  // (Debezium creates it with the first event) it logs every attempt and counts as running.
  await service.addComponent("merchant cdc consumer", consumer, { phase: "intake", weight: 3 });
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
  await service.addComponent("taxinfo drift check", drift, { phase: "intake", readiness: false });

  // 4. HTTP last (/health, /ready, /metrics): traffic arrives only once everything above runs.
  await service.start();
});

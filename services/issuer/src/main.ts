// issuer: the only writer of invoice state; consumes invoice.issuance (and its retry topic), applies
// the per-order state machine, calls the provider, routes failures to retry/DLQ, publishes
// invoice.events. Run modes: worker, migrate (database migrations + seed, topics, schemas; then exits).
// This file is the service's composition root (ADR 0009): it reads top to bottom as its wiring.
import { createProcessingMetrics, RecordProcessor } from "@invoice/processing";
import { SInvoiceAdapter, withCircuitBreakers } from "@invoice/provider";
import {
  addConsumerLagMetrics,
  createCodec,
  createIds,
  createKafka,
  createPostgres,
  createService,
  launch,
  runMain,
} from "@invoice/runtime";
import { loadIssuerConfig } from "./config.ts";
import { createDecisionStore } from "./issuance/decision-store.ts";
import { createIssuanceHandler } from "./issuance/issuance-handler.ts";
import { countInvoiceOutcomes, createIssuanceMetrics } from "./issuance/issuance-metrics.ts";
import { decodeIssuerInput } from "./issuance/issuer-input.ts";
import { createOutbox } from "./issuance/outbox.ts";
import { createOutputs } from "./issuance/outputs.ts";
import { createCredentialSource } from "./issuance/provider-credentials.ts";

runMain("issuer", async () => {
  // 1. Configuration (any problem refuses the start, naming the variable), logger and run mode;
  //    `migrate` runs to completion inside launch() and leaves nothing to start.
  const launched = await launch(
    { service: "issuer", modes: ["worker"], loadConfig: loadIssuerConfig },
    process,
  );
  if (!launched) return;
  const { config, logger } = launched;
  const { issuer } = config;
  const service = createService({ config, logger });

  // 2. Clients, each with its /ready check; closed in the last shutdown phase, after everything above.
  const prisma = service.addClient(createPostgres(config)).client;
  const kafkaClient = service.addClient(
    createKafka(config, logger, { readinessTopics: Object.values(issuer.topics) }),
  );
  const kafka = kafkaClient.client;
  const codec = service.addClient(createCodec(config)).client;
  const ids = service.addClient(await createIds(config, { logger, metrics: service.metrics })).client;

  // 3. The provider: one SInvoice adapter (one endpoint) behind one breaker per operation.
  const adapter = withCircuitBreakers(new SInvoiceAdapter({ baseUrl: issuer.provider.baseUrl }), {
    registry: service.metrics,
    logger,
  });
  await service.addComponent(
    "provider adapter",
    { start: async () => {}, stop: () => adapter.close() },
    { phase: "flush", readiness: false },
  );

  // Each merchant's own provider account (ProviderCredential, opened with the keyring); the
  // configured account stands in for merchants without one outside production only.
  const credentials = createCredentialSource({
    db: prisma,
    keyring: config.credentials.keyring,
    fallback: config.runtime.production ? undefined : issuer.provider.fallbackCredentials,
    ...issuer.provider.credentialCache,
  });

  // 4. The producer of invoice.events, wake-ups, retries and DLQ records: flushed after intake stopped.
  const producer = kafka.producer();
  await service.addComponent(
    "issuer producer",
    { start: () => producer.connect(), stop: () => producer.disconnect() },
    { phase: "flush", readiness: false },
  );

  // 5. The issuance consumer (phase "intake": it stops taking records first, then drains), and the
  //    outbox of its publications with the relay of those a dead process left (ADR 0022).
  const metrics = createIssuanceMetrics(service.metrics);
  const outputs = createOutputs({
    producer,
    codec,
    eventsTopic: issuer.topics.events,
    retryTopic: issuer.topics.retry,
    claimLinkBaseUrl: config.claimLink.baseUrl,
  });
  const outbox = createOutbox({
    prisma,
    publish: (events, invoices) => outputs.publish(events, invoices),
    logger,
    ...issuer.outbox,
    onRelayed: (count) => metrics.relayed(count),
  });
  await service.addComponent("outbox relay", outbox, { phase: "drain", readiness: false });
  const handle = createIssuanceHandler({
    store: countInvoiceOutcomes(
      createDecisionStore({
        prisma,
        ids,
        defaults: {
          claimWindowMs: issuer.defaultClaimWindowMs,
          sendLeaseMs: issuer.sendLeaseMs,
          production: config.runtime.production,
        },
        maxGroupSize: issuer.dbGroupSize,
        maxConcurrentGroups: issuer.dbConcurrentGroups,
        onGroup: (size, seconds) => metrics.group(size, seconds),
      }),
      metrics,
    ),
    outputs,
    outbox,
    provider: { adapter, credentials, now: Date.now },
    retry: issuer.retry,
    metrics,
  });
  const groupId = issuer.groupId ?? `${config.identity.serviceCode}_ISSUER_CONSUMER`;
  const processor = new RecordProcessor({
    name: "issuer",
    consumer: kafka.consumer({ groupId }),
    producer,
    topics: [issuer.topics.issuance, issuer.topics.retry],
    fromBeginning: issuer.fromBeginning,
    decode: (record) => decodeIssuerInput(codec, record),
    handle,
    retryTopic: issuer.topics.retry,
    deadLetterTopic: issuer.topics.dlq,
    logger,
    metrics: createProcessingMetrics(service.metrics, "issuer"),
    onFatal: (error) => service.fatal("issuance consumer", error),
    limits: {
      maxInFlight: issuer.maxInFlight,
      maxConcurrentBatches: issuer.maxConcurrentBatches,
      maxBatchSize: issuer.maxBatchSize,
    },
  });
  await service.addComponent(
    "issuance consumer",
    { start: () => processor.start(), stop: (signal) => processor.stop(signal) },
    { phase: "intake" },
  );

  // kafka_consumergroup_lag{consumergroup,topic,partition} of the issuance group on /metrics (ADR 0018).
  await addConsumerLagMetrics(service, kafkaClient, [groupId], logger);

  // 6. HTTP last (/health, /ready, /metrics): traffic arrives only once everything above runs.
  await service.start();
});

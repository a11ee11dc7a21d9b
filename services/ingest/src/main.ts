// ingest: the machine and merchant edge. Signed webhooks and the commerce Avro topics become
// invoice.issuance events keyed by orderId; the merchant REST API (JWT) reads invoices and settings
// and requests replays; invoice.events outcomes are delivered to merchants' webhook endpoints.
// Run modes: api (everything above), migrate (database migrations + seed, topics, schemas; then exits).
// This file is the service's composition root (ADR 0009): it reads top to bottom as its wiring.
import {
  addConsumerLagMetrics,
  createCodec,
  createIds,
  createKafka,
  createPostgres,
  createRedis,
  createService,
  launch,
  runMain,
} from "@invoice/runtime";
import { topicCatalog } from "@invoice/schemas";
import type { Router } from "express";
import { createJwtVerifier } from "./api/jwt-auth.ts";
import { merchantApiRoutes } from "./api/merchant-api.ts";
import { createCommerceConsumer, ensureLocalCommerceTopics } from "./commerce/commerce-consumer.ts";
import { loadIngestConfig } from "./config.ts";
import { createDeliveryWorker } from "./outbound/delivery-worker.ts";
import { createInvoiceEventsConsumer } from "./outbound/invoice-events-consumer.ts";
import { IssuancePublisher } from "./publishing/issuance-publisher.ts";
import { createReplayCache } from "./webhooks/replay-cache.ts";
import { webhookRoutes } from "./webhooks/webhook-routes.ts";

runMain("ingest", async () => {
  // 1. Configuration (any problem refuses the start, naming the variable), logger and run mode;
  //    `migrate` runs to completion inside launch() and leaves nothing to start.
  const launched = await launch({ service: "ingest", modes: ["api"], loadConfig: loadIngestConfig }, process);
  if (!launched) return;
  const { config, logger } = launched;
  const { ingest } = config;
  const service = createService({ config, logger });

  // 2. Clients, each with its /ready check; closed in the last shutdown phase, after everything above.
  const kafka = service.addClient(createKafka(config, logger));
  const codec = service.addClient(createCodec(config)).client;
  const redis = service.addClient(createRedis(config, logger, { metrics: service.metrics })).client;
  const prisma = service.addClient(createPostgres(config)).client;
  const ids = service.addClient(await createIds(config, { logger, metrics: service.metrics })).client;
  const topics = topicCatalog({
    issuancePartitions: config.topics.issuancePartitions,
    eventsPartitions: config.topics.eventsPartitions,
    names: config.topics.names,
    commercePaymentSucceeded: ingest.commerceTopics.paymentSucceeded,
    commerceInvoiceRequested: ingest.commerceTopics.invoiceRequested,
    commercePaymentRefunded: ingest.commerceTopics.paymentRefunded,
  });

  // 3. The issuance publisher of the HTTP edge: flushed after HTTP intake stopped (phase "flush").
  const publisher = new IssuancePublisher({
    producer: kafka.client.producer(),
    codec,
    topic: topics.issuance.topic,
    logger,
    metrics: service.metrics,
    timeoutMs: ingest.publish.timeoutMs,
    cooldownMs: ingest.publish.cooldownMs,
  });
  await service.addComponent(
    "issuance publisher",
    { start: () => publisher.start(), stop: (signal) => publisher.stop(signal) },
    { phase: "flush", readiness: false },
  );

  // 4. Consumers (phase "intake": they stop taking records first) and the outbound delivery worker
  //    (phase "drain"). A consumer that stops for good ends the process (service.fatal → exit 1).
  if (ingest.consumersEnabled) {
    if (!config.runtime.production && config.runtime.appEnv !== "staging") {
      await ensureLocalCommerceTopics(kafka.admin, topics);
    }
    const commerceGroup = `${config.identity.serviceCode}_INGEST_COMMERCE_CONSUMER`;
    const webhooksGroup = `${config.identity.serviceCode}_INGEST_WEBHOOKS_CONSUMER`;
    // kafka_consumergroup_lag{consumergroup,topic,partition} of these groups on /metrics.
    await addConsumerLagMetrics(service, kafka, [commerceGroup, webhooksGroup], logger);
    const commerce = createCommerceConsumer({
      kafka: kafka.client,
      codec,
      topics,
      groupId: commerceGroup,
      logger,
      metrics: service.metrics,
      onFatal: (error) => service.fatal("commerce consumer", error),
    });
    await service.addComponent("commerce consumer", commerce, { phase: "intake" });
    const outcomes = createInvoiceEventsConsumer({
      kafka: kafka.client,
      codec,
      topics,
      groupId: webhooksGroup,
      prisma,
      ids,
      logger,
      metrics: service.metrics,
      onFatal: (error) => service.fatal("invoice events consumer", error),
    });
    await service.addComponent("invoice events consumer", outcomes, { phase: "intake" });
    const worker = createDeliveryWorker({
      prisma,
      ids,
      keyring: config.credentials.keyring,
      options: ingest.outbound,
      logger,
      metrics: service.metrics,
    });
    await service.addComponent("webhook delivery worker", worker, { phase: "drain" });
  }

  // 5. HTTP last (/health, /ready, /metrics, webhooks, merchant API): traffic arrives only once
  //    everything above runs.
  const webhooks = webhookRoutes({
    secrets: { merchant: ingest.webhooks.merchantSecrets, internal: ingest.webhooks.internalSecrets },
    toleranceSeconds: ingest.webhooks.toleranceSeconds,
    bodyLimitBytes: config.runtime.httpBodyLimitBytes,
    retryAfterSeconds: ingest.publish.retryAfterSeconds,
    replay: createReplayCache({
      redis,
      prefix: ingest.webhooks.replayKeyPrefix,
      ttlSeconds: ingest.webhooks.replayTtlSeconds,
      logger,
    }),
    publisher,
    logger,
    metrics: service.metrics,
  });
  const api = merchantApiRoutes({
    verifier: createJwtVerifier(ingest.jwt),
    prisma,
    ids,
    keyring: config.credentials.keyring,
    publisher,
    settings: {
      idempotencyTtlSeconds: ingest.idempotencyTtlSeconds,
      retryAfterSeconds: ingest.publish.retryAfterSeconds,
      outbound: ingest.outbound,
    },
    logger,
  });
  await service.start({
    routes: (router: Router) => {
      webhooks(router);
      api(router);
    },
  });
});

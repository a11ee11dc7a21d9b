// claims: the buyer-facing claim page/API by token (api) and the claim-expiry worker with the outbox
// relay (worker). Run modes: api, worker, migrate (database migrations + seed, topics, schemas; exits).
// This file is the service's composition root (ADR 0009): it reads top to bottom as its wiring.
import { parseDatabaseUrl } from "@invoice/db";
import {
  createCodec,
  createKafka,
  createPostgres,
  createRedis,
  createService,
  launch,
  runMain,
} from "@invoice/runtime";
import { createClaimsApi, createClaimsWorker, maskingLogger } from "./claims-service.ts";
import { loadClaimsConfig } from "./config.ts";
import { buildPageAssets } from "./page/page-assets.ts";
import { createIssuancePublisher } from "./publish/issuance-publisher.ts";

runMain("claims", async () => {
  // 1. Configuration (any problem refuses the start, naming the variable), logger and run mode;
  //    `migrate` runs to completion inside launch() and leaves nothing to start.
  const launched = await launch(
    { service: "claims", modes: ["api", "worker"], loadConfig: loadClaimsConfig },
    process,
  );
  if (!launched) return;
  const { config, mode } = launched;
  // Request logs carry the path; claim tokens in it are masked (ADR 0014).
  const logger = maskingLogger(launched.logger);
  // The page bundle is built before anything connects: a broken build stops start-up, and its CPU
  // burst does not compete with the first readiness probes.
  const assets = mode === "api" ? await buildPageAssets() : undefined;
  const service = createService({ config, logger });

  // 2. Clients, each with its /ready check; closed in the last shutdown phase.
  const prisma = service.addClient(createPostgres(config)).client;
  const redis = service.addClient(createRedis(config, logger, { metrics: service.metrics })).client;
  const kafka = service.addClient(createKafka(config, logger));
  const codec = service.addClient(createCodec(config)).client;

  // 3. The ClaimSubmitted/ClaimExpired publisher (connects on first use; flushed after intake and
  //    drain stopped), then the mode's own part.
  const publisher = createIssuancePublisher({
    producer: kafka.client.producer(),
    codec,
    topic: kafka.topics.issuance.topic,
  });
  await service.addComponent(
    "issuance publisher",
    { start: () => undefined, stop: () => publisher.stop() },
    { phase: "flush" },
  );
  const deps = {
    db: prisma,
    databaseSchema: parseDatabaseUrl(config.infrastructure.databaseUrl).schema,
    redis,
    publisher,
    logger,
    metrics: service.metrics,
    now: Date.now,
    settings: config.claims,
  };

  if (mode === "api") {
    const api = await createClaimsApi({ ...deps, assets, bodyLimitBytes: config.runtime.httpBodyLimitBytes });
    // 4. HTTP last: /health, /ready, /metrics and the claim routes.
    await service.start({ routes: (router) => router.use(api) });
    return;
  }
  // Its loops stop in "drain": the scan or relay pass in flight finishes before the publisher flushes.
  await service.addComponent("claim expiry worker", createClaimsWorker(deps), { phase: "drain", weight: 2 });
  await service.start();
});

// claims: the buyer-facing claim page/API by token (api) and the claim-expiry worker (worker).
// Run modes: api, worker, migrate (database migrations + seed, topics, schemas; then exits).
// Composition root: builds the clients (through startService), the issuance publisher, and hands them to
// claims-service.ts. Shutdown (reverse of registration): worker loops -> publisher -> HTTP -> clients.
import { parseDatabaseUrl } from "@invoice/db";
import { HttpProblem } from "@invoice/http";
import { installSignalHandlers } from "@invoice/lifecycle";
import { type Dependency, launch, runMain, startService } from "@invoice/runtime";
import type { Router } from "express";
import { createClaimsApi, createClaimsWorker, maskingLogger } from "./claims-service.ts";
import { loadClaimsConfig } from "./config.ts";
import { buildPageAssets } from "./page/page-assets.ts";
import { createIssuancePublisher } from "./publish/issuance-publisher.ts";

/** What /ready waits for before this service takes traffic. */
const NEEDS: Dependency[] = ["postgres", "redis", "kafka", "schema-registry"];

runMain("claims", async () => {
  const launched = await launch({
    service: "claims",
    modes: ["api", "worker"],
    argv: process.argv.slice(2),
    env: process.env,
    loadConfig: loadClaimsConfig,
  });
  if (!launched) return;
  const { config, mode } = launched;
  const logger = maskingLogger(launched.logger);
  // The page bundle is built before the port opens: a broken build stops start-up, and its CPU burst
  // does not compete with the first readiness probes.
  const assets = mode === "api" ? await buildPageAssets() : undefined;

  // The routes exist before the clients do (startService makes both); until they are wired, 503.
  let api: Router | undefined;
  let wired = false;
  const service = await startService({
    config,
    fullConfig: config,
    logger,
    needs: NEEDS,
    routes: (router) =>
      router.use((req, res, next) => {
        if (api) api(req, res, next);
        else if (wired) next();
        else next(new HttpProblem({ status: 503, code: "STARTING", headers: { "retry-after": "1" } }));
      }),
  });
  installSignalHandlers(service.shutdown, { logger });

  const { deps } = service;
  if (!deps.prisma || !deps.redis || !deps.kafka || !deps.codec)
    throw new Error("claims needs all its clients");
  const publisher = createIssuancePublisher({
    producer: deps.kafka.producer(),
    codec: deps.codec,
    topic: deps.topics.issuance.topic,
  });
  service.shutdown.register({ name: "issuance publisher", stop: () => publisher.stop() });
  const claimsDeps = {
    db: deps.prisma,
    databaseSchema: parseDatabaseUrl(config.infrastructure.databaseUrl).schema,
    redis: deps.redis,
    publisher,
    logger,
    metrics: service.metrics,
    now: Date.now,
    settings: config.claims,
  };

  if (mode === "api") {
    api = await createClaimsApi({ ...claimsDeps, assets, bodyLimitBytes: config.runtime.httpBodyLimitBytes });
  } else {
    const worker = createClaimsWorker(claimsDeps);
    service.shutdown.register({ name: "claim expiry worker", weight: 2, stop: () => worker.stop() });
    await worker.start();
  }
  wired = true;
});

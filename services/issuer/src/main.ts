// issuer: the only writer of invoice state; consumes invoice.issuance, applies the per-order state
// machine, calls the provider, routes failures to retry/DLQ, publishes invoice.events.
// This stage: the runnable skeleton.
// Run modes: worker, migrate (database migrations + seed, topics, schemas; then exits).
// This file is the service's composition root (ADR 0009): it reads top to bottom as its wiring.
import { createCodec, createKafka, createPostgres, createService, launch, runMain } from "@invoice/runtime";
import { loadIssuerConfig } from "./config.ts";

runMain("issuer", async () => {
  // 1. Configuration (any problem refuses the start, naming the variable), logger and run mode;
  //    `migrate` runs to completion inside launch() and leaves nothing to start.
  const launched = await launch(
    { service: "issuer", modes: ["worker"], loadConfig: loadIssuerConfig },
    process,
  );
  if (!launched) return;
  const { config, logger } = launched;
  const service = createService({ config, logger });

  // 2. Clients, each with its /ready check; closed in the last shutdown phase, after everything above.
  service.addClient(createPostgres(config));
  service.addClient(createKafka(config, logger));
  service.addClient(createCodec(config));

  // 3. The issuer's own parts arrive with the event flow: the issuance consumer (an @invoice/processing
  //    component, phase "intake", onFatal → service.fatal), the outcome producer (phase "flush"), the
  //    provider adapter and its breaker, and `await createIds(config, { logger, metrics: service.metrics })`
  //    (leased worker id) for invoice ids.

  // 4. HTTP last (/health, /ready, /metrics): traffic arrives only once everything above runs.
  await service.start();
});

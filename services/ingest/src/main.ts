// ingest: the machine and merchant edge (webhooks, commerce Avro topics, merchant REST API) that
// normalises everything into invoice.issuance events keyed by orderId. This stage: the runnable skeleton.
// Run modes: api, migrate (database migrations + seed, topics, schemas; then exits).
// This file is the service's composition root (ADR 0009): it reads top to bottom as its wiring.
import {
  createCodec,
  createKafka,
  createPostgres,
  createRedis,
  createService,
  launch,
  runMain,
} from "@invoice/runtime";
import { loadIngestConfig } from "./config.ts";

runMain("ingest", async () => {
  // 1. Configuration (any problem refuses the start, naming the variable), logger and run mode;
  //    `migrate` runs to completion inside launch() and leaves nothing to start.
  const launched = await launch({ service: "ingest", modes: ["api"], loadConfig: loadIngestConfig }, process);
  if (!launched) return;
  const { config, logger } = launched;
  const service = createService({ config, logger });

  // 2. Clients, each with its /ready check; closed in the last shutdown phase, after everything above.
  service.addClient(createKafka(config, logger));
  service.addClient(createCodec(config));
  service.addClient(createRedis(config, logger));
  service.addClient(createPostgres(config));

  // 3. Ingest's own parts arrive with the event flow: the issuance producer (phase "flush"), the
  //    commerce-topic consumers (phase "intake", onFatal → service.fatal) and the webhook routes.

  // 4. HTTP last (/health, /ready, /metrics): traffic arrives only once everything above runs.
  await service.start();
});

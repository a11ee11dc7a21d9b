// claims: the buyer-facing claim page/API by token (api) and the claim-expiry worker (worker).
// This stage: the runnable skeleton.
// Run modes: api, worker, migrate (database migrations + seed, topics, schemas; then exits).
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
import { loadClaimsConfig } from "./config.ts";

runMain("claims", async () => {
  // 1. Configuration (any problem refuses the start, naming the variable), logger and run mode;
  //    `migrate` runs to completion inside launch() and leaves nothing to start.
  const launched = await launch(
    { service: "claims", modes: ["api", "worker"], loadConfig: loadClaimsConfig },
    process,
  );
  if (!launched) return;
  const { config, logger } = launched;
  const service = createService({ config, logger });

  // 2. Clients, each with its /ready check; closed in the last shutdown phase, after everything above.
  service.addClient(createPostgres(config));
  service.addClient(createRedis(config, logger));
  service.addClient(createKafka(config, logger));
  service.addClient(createCodec(config));

  // 3. Claims' own parts arrive with the claim flow: the ClaimSubmitted/ClaimExpired producer (phase
  //    "flush"), the expiry worker (phase "drain" for its running scan) and the claim routes.

  // 4. HTTP last (/health, /ready, /metrics): traffic arrives only once everything above runs.
  await service.start();
});

/**
 * (9) Redis restart, on a private server of our own (never the shared one). Redis holds only what has
 * a fallback (packages/runtime/src/clients/redis.ts): here, ingest's webhook replay cache. Merchants
 * send signed webhooks through the real ingest at a steady rate; Redis is SIGKILLed, stays down 5 s
 * (15 s long) and comes back empty. Ingest must keep accepting webhooks during the outage and stay in
 * rotation (/ready 200 "degraded"); an exact replay of a delivery accepted before the crash — which
 * the lost cache cannot recognise — must still end in one invoice (the issuer's eventId dedupe).
 * The claims service's uses of Redis under a restart (rate limits, the expiry schedule) are
 * services/claims/test/claims-rate-limits.test.ts and claim-expiry-worker.test.ts.
 */
import { waitFor } from "@invoice/testing";
import { issuedAmong, recoveredAfter, type Scenario, warmUp, withWorld } from "./scenario-support.ts";
import { post, startIngest, webhookSender } from "./webhook-sender.ts";

export const redisRestart: Scenario = async (options) => {
  const { startPrivateRedis } = await import("@invoice/testing");
  const redis = await startPrivateRedis();
  try {
    return await withWorld(
      "redis-restart",
      { simulator: { latency: { kind: "fixed", ms: 30 } } },
      options,
      async (world, notes, problems) => {
        await world.startIssuer();
        const ingest = await startIngest(world, redis.url);
        try {
          const sender = webhookSender(world, ingest, options.short ? 4 : 8);
          await warmUp(world, 10);
          // With Redis up, an exact replay is recognised and publishes nothing.
          const replayed = sender.lastAccepted();
          if (!replayed) throw new Error("no webhook accepted before the fault");
          const before = await post(ingest, replayed);
          notes.replayBeforeCrash = before;
          if (before.status !== 202 || before.duplicate !== true)
            problems.push(
              `an exact replay with Redis up was not answered as a duplicate (${JSON.stringify(before)})`,
            );

          await redis.kill();
          const killedAt = Date.now();
          const downMs = options.short ? 5_000 : 15_000;
          // Ingest must stay in rotation (an orchestrator pulls an instance whose /ready fails) and say
          // it is degraded, once its connection noticed the crash.
          const readyDuringOutage = await waitFor(
            async () => {
              const ready = await ingest.ready();
              return ready.status !== 0 && ready.state !== "ready" ? ready : undefined;
            },
            { timeoutMs: 30_000, intervalMs: 100, description: "ingest's /ready to report Redis down" },
          );
          notes.readyDuringOutage = readyDuringOutage;
          // The operator's signal (alert InvoiceRedisDown): the connection gauge at 0.
          notes.redisConnectedDuringOutage = await ingest.redisConnected();
          if (notes.redisConnectedDuringOutage !== 0)
            problems.push(
              `invoice_redis_connected was ${notes.redisConnectedDuringOutage} while Redis was down`,
            );
          if (readyDuringOutage.status !== 200 || readyDuringOutage.state !== "degraded")
            problems.push(
              `ingest's /ready answered ${JSON.stringify(readyDuringOutage)} while Redis was down (200 "degraded" keeps it in rotation)`,
            );
          const outageLeft = downMs - (Date.now() - killedAt);
          // Redis stays down for downMs: time is the scenario's subject, not a stand-in for a condition.
          if (outageLeft > 0) await new Promise((resolve) => setTimeout(resolve, outageLeft));
          await redis.restart();
          const restartedAt = Date.now();
          notes.redisDownMs = restartedAt - killedAt;

          const during = sender.answers.filter((a) => a.at >= killedAt && a.at <= restartedAt);
          const byStatus: Record<string, number> = {};
          for (const answer of during) byStatus[answer.status] = (byStatus[answer.status] ?? 0) + 1;
          notes.answersDuringOutage = byStatus;
          if ((byStatus["202"] ?? 0) === 0) problems.push("no webhook was accepted while Redis was down");
          const refusedDuringOutage = during.length - (byStatus["202"] ?? 0);
          if (refusedDuringOutage > 0)
            problems.push(
              `${refusedDuringOutage} webhooks refused while Redis was down (they must degrade, not fail)`,
            );

          // The cache came back empty: the same bytes are accepted again, and the issuer dedupes them.
          const after = await post(ingest, replayed);
          notes.replayAfterRestart = after;
          if (after.status !== 202)
            problems.push(`the replay after the restart was answered ${after.status}`);

          await sender.stop();
          if (sender.refused.length > 0)
            problems.push(
              `${sender.refused.length} deliveries never accepted (${JSON.stringify(sender.refused.slice(0, 3))})`,
            );
          const seconds = await recoveredAfter(world, [...world.orders], restartedAt);
          // The replay reached the issuer and changed nothing there: the eventId dedupe held.
          const deduped = await waitFor(
            () =>
              world.issuers.some((issuer) =>
                issuer.proc.logs.some(
                  (line) => line.eventId === after.eventId && line.msg === "[issuer] event already applied",
                ),
              ),
            {
              timeoutMs: 60_000,
              intervalMs: 200,
              description: "the issuer to drop the replayed event as a duplicate",
            },
          ).catch(() => false);
          notes.replayDedupedByIssuer = deduped;
          if (!deduped)
            problems.push(`the replayed event ${after.eventId} never reached the issuer's dedupe`);
          // Back to "ready" once the connection is re-established (ioredis reconnects by itself).
          notes.readyAfterRestart = await waitFor(
            async () => {
              const ready = await ingest.ready();
              return ready.state === "ready" ? ready : undefined;
            },
            {
              timeoutMs: 60_000,
              intervalMs: 200,
              description: "ingest's /ready back to ready after the restart",
            },
          );
          notes.redisConnectedAfterRestart = await ingest.redisConnected();
          if (notes.redisConnectedAfterRestart !== 1)
            problems.push(
              `invoice_redis_connected was ${notes.redisConnectedAfterRestart} after the restart`,
            );
          notes.webhooksAccepted = world.orders.length;
          notes.issued = await issuedAmong(world, world.orders);
          return seconds;
        } finally {
          await ingest.stop();
        }
      },
    );
  } finally {
    await redis.stop();
  }
};

/**
 * The claim-expiry worker (run mode `worker`): publishes ClaimExpired for every open claim whose
 * deadline has passed, within about a poll interval, exactly once in effect (ADR 0014).
 *
 * - Schedule loop (every CLAIMS_EXPIRY_POLL_INTERVAL_MS): pops the claims due now from the Redis
 *   schedule and expires them.
 * - Scan loop (at start, then every CLAIMS_EXPIRY_SCAN_INTERVAL_MS): expires every open claim past its
 *   deadline straight from PostgreSQL (what the schedule lost: a Redis restart, a claim opened after
 *   the previous scan with a short window), then puts the claims due within the horizon into the schedule.
 * - Relay loop (every CLAIMS_RELAY_INTERVAL_MS): the outbox relay, for ClaimSubmitted and ClaimExpired
 *   events whose publisher died or failed.
 *
 * Expiring is `UPDATE ... SET status = 'EXPIRED' WHERE status = 'OPEN' AND claimDeadline <= now`: never
 * before the deadline, once per claim however many workers and loops find it, and never for a claim a
 * submission got first. The one that changed the row publishes; Redis only says when to look.
 *
 * While Redis is unreachable the schedule is skipped (one warn line when it goes, one info line when it
 * is back) and the scan alone expires claims, within a scan interval of their deadline instead of a poll
 * interval (ADR 0023). Neither loop reports a failed run for that; they do for PostgreSQL, Kafka, and
 * an error Redis answers with (out of memory, say), which no fallback makes right. Before the first
 * schedule call that succeeds (the client still connecting at start) a failure is only a debug line.
 */
import type { Component } from "@invoice/lifecycle";
import type { Logger } from "@invoice/observability";
import type { ExpirySettings } from "../config.ts";
import type { ClaimRepository, OwedClaimRow } from "../data/claim-repository.ts";
import type { ClaimsMetrics } from "../metrics.ts";
import type { ClaimOutbox } from "../publish/claim-outbox.ts";
import { type ExpirySchedule, ScheduleUnavailableError } from "./expiry-schedule.ts";
import { intervalLoop } from "./interval-loop.ts";

export interface ClaimExpiryWorkerOptions {
  repository: ClaimRepository;
  schedule: ExpirySchedule;
  outbox: ClaimOutbox;
  /** Epoch milliseconds. */
  now: () => number;
  logger: Logger;
  metrics: ClaimsMetrics;
  settings: ExpirySettings & { relayIntervalMs: number };
}

/** Most claims one scan puts into the schedule; more due within the horizon are picked up by later scans. */
const SCHEDULE_FILL_LIMIT = 10_000;

export interface ClaimExpiryWorker extends Component {
  /** One pass of each loop's work, in order (tests and the ops CLI). */
  runOnce(): Promise<{ fromSchedule: number; fromScan: number; scheduled: number; relayed: number }>;
}

export function createClaimExpiryWorker(options: ClaimExpiryWorkerOptions): ClaimExpiryWorker {
  const { repository, schedule, outbox, now, logger, metrics, settings } = options;

  // "unknown" until a schedule call succeeds: a failure then is the client still connecting at start.
  let scheduleState: "unknown" | "up" | "down" = "unknown";
  /** A schedule call, or `fallback` while Redis is unreachable: the scan covers what it would have found. */
  async function onSchedule<T>(step: "pop" | "fill", call: () => Promise<T>, fallback: T): Promise<T> {
    try {
      const result = await call();
      if (scheduleState === "down") {
        logger.info({ step }, "claim expiry schedule is back; claims expire on time again");
      }
      scheduleState = "up";
      return result;
    } catch (error) {
      if (!(error instanceof ScheduleUnavailableError)) throw error;
      if (scheduleState === "up") {
        logger.warn(
          { step, err: error, scanIntervalMs: settings.scanIntervalMs },
          "claim expiry schedule unavailable (Redis); claims expire from the PostgreSQL scan until it is back",
        );
        scheduleState = "down";
      } else {
        logger.debug({ step, err: error }, "claim expiry schedule unreachable; the scan covers it");
      }
      return fallback;
    }
  }

  async function expireAndPublish(claims: OwedClaimRow[], foundBy: "schedule" | "scan"): Promise<number> {
    if (claims.length === 0) return 0;
    metrics.expired.inc({ found_by: foundBy }, claims.length);
    for (const claim of claims) {
      logger.info(
        {
          claimId: String(claim.id),
          orderId: claim.orderId,
          merchantId: claim.merchantId,
          foundBy,
          lateMs: now() - claim.claimDeadline.getTime(),
        },
        "claim expired",
      );
    }
    await Promise.all(claims.map((claim) => outbox.deliver(claim, { path: "direct" })));
    return claims.length;
  }

  async function fromSchedule(): Promise<number> {
    const ids = await onSchedule("pop", () => schedule.popDue(now(), settings.batchSize), []);
    if (ids.length === 0) return 0;
    // Popped ids the UPDATE does not return were submitted or expired elsewhere (or locked right now:
    // the scan gets those), so nothing is lost by having taken them out of Redis.
    const claims = await repository.expire({
      now: new Date(now()),
      leaseUntil: outbox.leaseUntil(),
      limit: ids.length,
      ids,
    });
    return expireAndPublish(claims, "schedule");
  }

  async function fromScan(): Promise<{ expired: number; scheduled: number }> {
    let expired = 0;
    for (;;) {
      const claims = await repository.expire({
        now: new Date(now()),
        leaseUntil: outbox.leaseUntil(),
        limit: settings.batchSize,
      });
      expired += await expireAndPublish(claims, "scan");
      if (claims.length < settings.batchSize) break;
    }
    const due = await repository.dueBy(new Date(now() + settings.horizonMs), SCHEDULE_FILL_LIMIT);
    if (due.length === 0) return { expired, scheduled: 0 }; // nothing sent to Redis: says nothing of it
    const scheduled = await onSchedule(
      "fill",
      async () => {
        await schedule.add(due);
        return due.length;
      },
      0,
    );
    return { expired, scheduled };
  }

  const relay = () => outbox.relayOnce(settings.batchSize);

  const loops = [
    intervalLoop("claim-expiry-scan", settings.scanIntervalMs, fromScan, logger),
    intervalLoop("claim-expiry-schedule", settings.pollIntervalMs, fromSchedule, logger),
    intervalLoop("claim-outbox-relay", settings.relayIntervalMs, relay, logger),
  ];

  return {
    async start() {
      await Promise.all(loops.map((loop) => loop.start()));
      logger.info({ ...settings }, "claim expiry worker started");
    },
    async stop() {
      await Promise.all(loops.map((loop) => loop.stop()));
    },
    async runOnce() {
      const scan = await fromScan();
      const fromScheduleCount = await fromSchedule();
      return {
        fromSchedule: fromScheduleCount,
        fromScan: scan.expired,
        scheduled: scan.scheduled,
        relayed: await relay(),
      };
    },
  };
}

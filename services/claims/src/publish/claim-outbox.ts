/**
 * The claims outbox (ADR 0014). A claim leaves OPEN in one committed UPDATE that also records the event
 * it now owes; only then is the event published, and Kafka's acknowledgement is written back
 * (`eventPublishedAt`). Whoever made the change publishes at once under a lease; the relay (in the
 * worker) publishes what is still unacknowledged once the lease has run out: a crash, a Kafka outage
 * or a timeout between commit and acknowledgement delays the event, it never loses it. A repeat carries
 * the same eventId, so the issuer applies it once.
 *
 * Failure semantics: `deliver` and `relayOnce` never reject on a publish failure (it is logged with the
 * order id, counted, and the lease shortened so the relay retries soon); `relayOnce` rejects only when
 * PostgreSQL cannot be asked for the owed events.
 */
import type { Logger } from "@invoice/observability";
import { owedEvent } from "../core/claim-events.ts";
import { safeError } from "../core/safe-error.ts";
import type { ClaimRepository, OwedClaimRow } from "../data/claim-repository.ts";
import type { ClaimEventType, ClaimsMetrics } from "../metrics.ts";
import type { IssuanceEventPublisher } from "./issuance-publisher.ts";

export interface ClaimOutboxOptions {
  repository: ClaimRepository;
  publisher: IssuanceEventPublisher;
  /** Epoch milliseconds. */
  now: () => number;
  logger: Logger;
  metrics: ClaimsMetrics;
  settings: { relayIntervalMs: number; leaseMs: number };
}

export type DeliveryPath = "direct" | "relay";

export interface ClaimOutbox {
  /** When a lease taken now runs out. */
  leaseUntil(): Date;
  /**
   * Publishes what `claim` owes and records the acknowledgement. Resolves true once both are done,
   * false when the publish failed or did not finish within `timeoutMs` (it may still finish and be
   * recorded later; otherwise the relay sends it again after the lease).
   */
  deliver(claim: OwedClaimRow, options: { path: DeliveryPath; timeoutMs?: number }): Promise<boolean>;
  /** One relay pass: takes over owed events whose lease ran out and delivers them. Returns how many. */
  relayOnce(limit: number): Promise<number>;
}

const EVENT_TYPE = { SUBMITTED: "ClaimSubmitted", EXPIRED: "ClaimExpired" } as const satisfies Record<
  OwedClaimRow["status"],
  ClaimEventType
>;

export function createClaimOutbox(options: ClaimOutboxOptions): ClaimOutbox {
  const { repository, publisher, now, logger, metrics, settings } = options;

  async function publishAndRecord(claim: OwedClaimRow, path: DeliveryPath): Promise<boolean> {
    const { event, meta } = owedEvent(claim);
    const type = EVENT_TYPE[claim.status];
    const fields = {
      claimId: String(claim.id),
      orderId: claim.orderId,
      merchantId: claim.merchantId,
      eventId: event.eventId,
      eventType: type,
      path,
    };
    let written: Awaited<ReturnType<IssuanceEventPublisher["publish"]>>;
    try {
      written = await publisher.publish(event, meta);
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      metrics.publishFailures.inc({ type, code: typeof code === "string" ? code : "UNKNOWN" });
      logger.warn(
        { ...fields, attempts: claim.publishAttempts, err: safeError(error, claim.token) },
        "claim event not published; the outbox relay will send it again",
      );
      // Hand it to the relay soon rather than after the whole lease.
      await repository
        .releaseLease(claim.id, new Date(now() + settings.relayIntervalMs))
        .catch((releaseError: unknown) =>
          logger.warn(
            { ...fields, err: safeError(releaseError, claim.token) },
            "claim event lease not released; it runs out by itself",
          ),
        );
      return false;
    }
    metrics.eventsPublished.inc({ type, path });
    if (claim.status === "EXPIRED") {
      metrics.expiryDelay.observe(Math.max(0, now() - claim.claimDeadline.getTime()) / 1000);
    }
    try {
      await repository.markPublished(claim.id, new Date(now()));
    } catch (error) {
      logger.warn(
        { ...fields, err: safeError(error, claim.token) },
        "claim event published but not recorded; the relay publishes it again after the lease (same eventId)",
      );
      return false;
    }
    logger.info({ ...fields, partition: written.partition, offset: written.offset }, "claim event published");
    return true;
  }

  return {
    leaseUntil: () => new Date(now() + settings.leaseMs),

    async deliver(claim, { path, timeoutMs }) {
      const delivery = publishAndRecord(claim, path);
      if (timeoutMs === undefined) return delivery;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      try {
        return await Promise.race([delivery, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },

    async relayOnce(limit) {
      const owed = await repository.leaseUnpublished({
        now: new Date(now()),
        leaseUntil: new Date(now() + settings.leaseMs),
        limit,
      });
      if (owed.length > 0) logger.info({ count: owed.length }, "relaying claim events nobody published");
      await Promise.all(owed.map((claim) => publishAndRecord(claim, "relay")));
      return owed.length;
    },
  };
}

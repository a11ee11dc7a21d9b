/**
 * The Claim table as the claims service uses it. Every state change is one conditional UPDATE ...
 * RETURNING on `status = 'OPEN'`: PostgreSQL's row lock makes exactly one of a submission and an
 * expiry (and one of several workers) win, and the winner's row says which event is owed (the outbox,
 * ADR 0014). Raw SQL because Prisma's update cannot return the rows a conditional update changed.
 *
 * Failure semantics: every method rejects with the driver's error when PostgreSQL cannot be reached or
 * refuses the statement (classify with classifyDatabaseError); a statement that matched nothing is a
 * value (undefined / empty list), never an error. Nothing here retries.
 */
import { Prisma, type PrismaClient } from "@invoice/db";
import type { OwedClaim, StoredSubmission } from "../core/claim-events.ts";
import type { ClaimCloseReason, ClaimFacts, ClaimStatus } from "../core/claim-view.ts";

/** The narrow view of Prisma this service needs: raw statements on its tables. */
export type ClaimsDatabase = Pick<PrismaClient, "$queryRaw">;

/** A claim as the page and the JSON API need it. */
export interface ClaimRecord extends ClaimFacts {
  id: bigint;
  merchantId: string;
  orderId: string;
  orderAmountVnd: bigint;
  /** Epoch ms. */
  orderPaidAt: number;
  /** MerchantProfile.displayName, else the seller's legal name (TaxInfo), else null. */
  merchantName: string | null;
  submittedAt: number | null;
}

/** A claim that owes its event, with what the outbox needs to publish and acknowledge it. */
export type OwedClaimRow = OwedClaim & { id: bigint; publishAttempts: number };

interface ClaimRow {
  id: bigint;
  token: string;
  merchantId: string;
  orderId: string;
  status: ClaimStatus;
  claimDeadline: Date;
  orderAmountVnd: bigint;
  orderPaidAt: Date;
  submissionId: string | null;
  submission: StoredSubmission | null;
  submittedAt: Date | null;
  closedReason: ClaimCloseReason | null;
  publishAttempts: number;
}

export interface ClaimRepositoryOptions {
  db: ClaimsDatabase;
  /** PostgreSQL schema of the platform's tables (the DATABASE_URL's `schema`, default "invoice"). */
  schema: string;
}

export interface ClaimRepository {
  /** The claim a token names: the open one if any, else the newest closed one. */
  findByToken(token: string): Promise<ClaimRecord | undefined>;
  /** OPEN -> SUBMITTED if still open before the deadline at `now`; undefined when it was not. */
  submit(input: {
    id: bigint;
    submissionId: string;
    submission: StoredSubmission;
    now: Date;
    leaseUntil: Date;
  }): Promise<OwedClaimRow | undefined>;
  /**
   * OPEN -> EXPIRED for claims whose deadline is at or before `now`: the given ids (from the Redis
   * schedule), or the oldest `limit` of all (the scan). Rows another transaction holds are skipped.
   */
  expire(input: {
    now: Date;
    leaseUntil: Date;
    limit: number;
    ids?: readonly bigint[];
  }): Promise<OwedClaimRow[]>;
  /** Open claims due by `until`, soonest first, for the Redis schedule. */
  dueBy(until: Date, limit: number): Promise<Array<{ id: bigint; deadline: number }>>;
  /** Takes over owed events nobody has published and nobody holds a lease on. */
  leaseUnpublished(input: { now: Date; leaseUntil: Date; limit: number }): Promise<OwedClaimRow[]>;
  /** Records Kafka's acknowledgement; false when it was already recorded. */
  markPublished(id: bigint, at: Date): Promise<boolean>;
  /** Gives an unpublished event back to the relay from `retryAt` on (after a failed publish). */
  releaseLease(id: bigint, retryAt: Date): Promise<void>;
}

const OWED_COLUMNS = Prisma.sql`"id", "token"::text AS "token", "merchantId", "orderId", "status"::text AS "status",
  "claimDeadline", "orderAmountVnd", "orderPaidAt", "submissionId"::text AS "submissionId", "submission",
  "submittedAt", "closedReason"::text AS "closedReason", "publishAttempts"`;

function toOwed(row: ClaimRow): OwedClaimRow {
  const base = {
    id: row.id,
    token: row.token,
    merchantId: row.merchantId,
    orderId: row.orderId,
    claimDeadline: row.claimDeadline,
    publishAttempts: row.publishAttempts,
  };
  if (row.status === "SUBMITTED") {
    if (row.submissionId === null || row.submission === null || row.submittedAt === null) {
      // Claim_lifecycle_check makes this impossible; a bug elsewhere must not publish half an event.
      throw new Error(`claim ${row.id} is SUBMITTED without its submission`);
    }
    return {
      ...base,
      status: "SUBMITTED",
      submissionId: row.submissionId,
      submission: row.submission,
      submittedAt: row.submittedAt,
    };
  }
  if (row.status === "EXPIRED") return { ...base, status: "EXPIRED" };
  throw new Error(`claim ${row.id} owes no event in status ${row.status}`);
}

export function createClaimRepository({ db, schema }: ClaimRepositoryOptions): ClaimRepository {
  const table = (name: string) => Prisma.raw(`"${schema.replaceAll('"', '""')}"."${name}"`);
  const claim = table("Claim");

  return {
    async findByToken(token) {
      const rows = await db.$queryRaw<
        Array<ClaimRow & { merchantName: string | null; invoiceStatus: string | null }>
      >`
        SELECT c."id", c."token"::text AS "token", c."merchantId", c."orderId", c."status"::text AS "status",
               c."claimDeadline", c."orderAmountVnd", c."orderPaidAt", c."submittedAt",
               c."closedReason"::text AS "closedReason",
               COALESCE(mp."displayName", ti."legalName") AS "merchantName", i."status"::text AS "invoiceStatus"
          FROM ${claim} c
          LEFT JOIN ${table("MerchantProfile")} mp ON mp."merchantId" = c."merchantId" AND mp."deletedAt" IS NULL
          LEFT JOIN ${table("TaxInfo")} ti ON ti."merchantId" = c."merchantId" AND ti."deletedAt" IS NULL
          LEFT JOIN ${table("Invoice")} i ON i."id" = c."invoiceId"
         WHERE c."token" = ${token}::uuid
         ORDER BY (c."status" = 'OPEN') DESC, c."createdAt" DESC
         LIMIT 1`;
      const row = rows[0];
      if (!row) return undefined;
      return {
        id: row.id,
        merchantId: row.merchantId,
        orderId: row.orderId,
        status: row.status,
        claimDeadline: row.claimDeadline.getTime(),
        orderAmountVnd: row.orderAmountVnd,
        orderPaidAt: row.orderPaidAt.getTime(),
        submittedAt: row.submittedAt?.getTime() ?? null,
        closedReason: row.closedReason,
        merchantName: row.merchantName,
        invoiceStatus: row.invoiceStatus,
      };
    },

    async submit({ id, submissionId, submission, now, leaseUntil }) {
      const rows = await db.$queryRaw<ClaimRow[]>`
        UPDATE ${claim}
           SET "status" = 'SUBMITTED', "submissionId" = ${submissionId}::uuid,
               "submission" = ${JSON.stringify(submission)}::jsonb, "submittedAt" = ${now},
               "publishLeaseUntil" = ${leaseUntil}, "publishAttempts" = "publishAttempts" + 1, "updatedAt" = ${now}
         WHERE "id" = ${id} AND "status" = 'OPEN' AND "claimDeadline" > ${now}
        RETURNING ${OWED_COLUMNS}`;
      return rows[0] ? toOwed(rows[0]) : undefined;
    },

    async expire({ now, leaseUntil, limit, ids }) {
      if (ids !== undefined && ids.length === 0) return [];
      const only = ids === undefined ? Prisma.empty : Prisma.sql`AND "id" IN (${Prisma.join(ids)})`;
      const rows = await db.$queryRaw<ClaimRow[]>`
        UPDATE ${claim}
           SET "status" = 'EXPIRED', "expiredAt" = ${now}, "publishLeaseUntil" = ${leaseUntil},
               "publishAttempts" = "publishAttempts" + 1, "updatedAt" = ${now}
         WHERE "id" IN (
                 SELECT "id" FROM ${claim}
                  WHERE "status" = 'OPEN' AND "claimDeadline" <= ${now} ${only}
                  ORDER BY "claimDeadline"
                  LIMIT ${limit}
                    FOR UPDATE SKIP LOCKED)
           AND "status" = 'OPEN'
        RETURNING ${OWED_COLUMNS}`;
      return rows.map(toOwed);
    },

    async dueBy(until, limit) {
      const rows = await db.$queryRaw<Array<{ id: bigint; claimDeadline: Date }>>`
        SELECT "id", "claimDeadline" FROM ${claim}
         WHERE "status" = 'OPEN' AND "claimDeadline" <= ${until}
         ORDER BY "claimDeadline"
         LIMIT ${limit}`;
      return rows.map((row) => ({ id: row.id, deadline: row.claimDeadline.getTime() }));
    },

    async leaseUnpublished({ now, leaseUntil, limit }) {
      const rows = await db.$queryRaw<ClaimRow[]>`
        UPDATE ${claim}
           SET "publishLeaseUntil" = ${leaseUntil}, "publishAttempts" = "publishAttempts" + 1
         WHERE "id" IN (
                 SELECT "id" FROM ${claim}
                  WHERE "status" IN ('SUBMITTED', 'EXPIRED') AND "eventPublishedAt" IS NULL
                    AND ("publishLeaseUntil" IS NULL OR "publishLeaseUntil" <= ${now})
                  ORDER BY "updatedAt"
                  LIMIT ${limit}
                    FOR UPDATE SKIP LOCKED)
           AND "eventPublishedAt" IS NULL
        RETURNING ${OWED_COLUMNS}`;
      return rows.map(toOwed);
    },

    async markPublished(id, at) {
      const rows = await db.$queryRaw<Array<{ id: bigint }>>`
        UPDATE ${claim} SET "eventPublishedAt" = ${at}, "publishLeaseUntil" = NULL
         WHERE "id" = ${id} AND "eventPublishedAt" IS NULL
        RETURNING "id"`;
      return rows.length === 1;
    },

    async releaseLease(id, retryAt) {
      await db.$queryRaw`
        UPDATE ${claim} SET "publishLeaseUntil" = ${retryAt}
         WHERE "id" = ${id} AND "eventPublishedAt" IS NULL
        RETURNING "id"`;
    },
  };
}

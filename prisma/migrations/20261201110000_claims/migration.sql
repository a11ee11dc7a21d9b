-- Claims (issue 11, ADR 0014). A claim opens when a paid order has no buyer yet, so no invoice exists:
-- invoiceId becomes optional (the issuer fills it once it creates the invoice). The row also carries
-- what the buyer's page shows and the outbox of the one event the claims service owes per claim.
-- Existing rows: none are written before this migration (the issuer that opens claims comes later), so
-- the new NOT NULL columns need no backfill.

-- CreateEnum
CREATE TYPE "ClaimCloseReason" AS ENUM ('SUBMITTED', 'REQUESTED', 'EXPIRED', 'REFUNDED');

-- AlterTable
ALTER TABLE "Claim" ALTER COLUMN "invoiceId" DROP NOT NULL,
ADD COLUMN "orderAmountVnd" BIGINT NOT NULL,
ADD COLUMN "orderPaidAt" TIMESTAMPTZ(3) NOT NULL,
ADD COLUMN "submissionId" UUID,
ADD COLUMN "submission" JSONB,
ADD COLUMN "expiredAt" TIMESTAMPTZ(3),
ADD COLUMN "eventPublishedAt" TIMESTAMPTZ(3),
ADD COLUMN "publishLeaseUntil" TIMESTAMPTZ(3),
ADD COLUMN "publishAttempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "closedReason" "ClaimCloseReason";

-- CreateIndex
-- One open claim per order: the issuer's OpenClaim is idempotent against it, and a token never
-- shows one order's claim while another is open for the same order.
CREATE UNIQUE INDEX "Claim_merchantId_orderId_open_key" ON "Claim"("merchantId", "orderId") WHERE "status" = 'OPEN';

-- CreateIndex
-- The outbox relay's queue: SUBMITTED/EXPIRED claims whose event Kafka has not acknowledged yet.
CREATE INDEX "Claim_unpublished_idx" ON "Claim"("updatedAt") WHERE "status" IN ('SUBMITTED', 'EXPIRED') AND "eventPublishedAt" IS NULL;

-- AddCheckConstraint
ALTER TABLE "Claim" ADD CONSTRAINT "Claim_amounts_check" CHECK ("orderAmountVnd" >= 0 AND "publishAttempts" >= 0);

-- AddCheckConstraint
-- A submission is recorded whole or not at all, and exactly on SUBMITTED claims; an expiry time exactly on
-- EXPIRED ones; only a claim that owes an event can have published it.
ALTER TABLE "Claim" ADD CONSTRAINT "Claim_lifecycle_check" CHECK (
  ("status" = 'SUBMITTED') = ("submissionId" IS NOT NULL)
  AND ("submissionId" IS NULL) = ("submission" IS NULL)
  AND ("submissionId" IS NULL) = ("submittedAt" IS NULL)
  AND ("status" = 'EXPIRED') = ("expiredAt" IS NOT NULL)
  AND ("eventPublishedAt" IS NULL OR "status" IN ('SUBMITTED', 'EXPIRED'))
);

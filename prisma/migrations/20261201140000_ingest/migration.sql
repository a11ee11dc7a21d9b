-- ingest (issue 10): outbound webhook deliveries and their attempts (the merchant's delivery log),
-- webhook secret rotation, Idempotency-Key records of the merchant REST API, and a keyed fingerprint
-- of provider credentials. The webhook replay cache lives in Redis, not here.

-- CreateEnum
CREATE TYPE "WebhookDeliveryStatus" AS ENUM ('PENDING', 'DELIVERED', 'FAILED');

-- CreateEnum
CREATE TYPE "IdempotencyStatus" AS ENUM ('IN_PROGRESS', 'COMPLETED');

-- AlterTable
ALTER TABLE "ProviderCredential" ADD COLUMN "fingerprint" VARCHAR(64);

-- AlterTable
ALTER TABLE "Webhook" ADD COLUMN "previousSecretCiphertext" BYTEA,
ADD COLUMN "previousSecretExpiresAt" TIMESTAMPTZ(3),
ADD COLUMN "previousSecretIv" BYTEA,
ADD COLUMN "previousSecretKeyId" VARCHAR(64),
ADD COLUMN "previousSecretTag" BYTEA,
ADD COLUMN "secretRotatedAt" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "WebhookDelivery" (
    "id" BIGINT NOT NULL,
    "webhookId" BIGINT NOT NULL,
    "merchantId" VARCHAR(64) NOT NULL,
    "eventId" VARCHAR(128) NOT NULL,
    "eventType" VARCHAR(64) NOT NULL,
    "orderId" VARCHAR(64) NOT NULL,
    "payload" TEXT NOT NULL,
    "status" "WebhookDeliveryStatus" NOT NULL DEFAULT 'PENDING',
    "attemptCount" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMPTZ(3) NOT NULL,
    "leaseUntil" TIMESTAMPTZ(3),
    "lastAttemptAt" TIMESTAMPTZ(3),
    "lastHttpStatus" INTEGER,
    "lastError" VARCHAR(500),
    "deliveredAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "WebhookDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebhookDeliveryAttempt" (
    "id" BIGINT NOT NULL,
    "deliveryId" BIGINT NOT NULL,
    "attempt" INTEGER NOT NULL,
    "startedAt" TIMESTAMPTZ(3) NOT NULL,
    "durationMs" INTEGER NOT NULL,
    "httpStatus" INTEGER,
    "outcome" VARCHAR(16) NOT NULL,
    "error" VARCHAR(500),

    CONSTRAINT "WebhookDeliveryAttempt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "IdempotencyRecord" (
    "merchantId" VARCHAR(64) NOT NULL,
    "key" VARCHAR(255) NOT NULL,
    "requestHash" VARCHAR(64) NOT NULL,
    "method" VARCHAR(8) NOT NULL,
    "route" VARCHAR(255) NOT NULL,
    "status" "IdempotencyStatus" NOT NULL,
    "responseStatus" INTEGER,
    "responseBody" JSONB,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "IdempotencyRecord_pkey" PRIMARY KEY ("merchantId","key")
);

-- CreateIndex
CREATE INDEX "WebhookDelivery_status_nextAttemptAt_idx" ON "WebhookDelivery"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "WebhookDelivery_merchantId_webhookId_createdAt_idx" ON "WebhookDelivery"("merchantId", "webhookId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "WebhookDelivery_webhookId_eventId_key" ON "WebhookDelivery"("webhookId", "eventId");

-- CreateIndex
CREATE UNIQUE INDEX "WebhookDeliveryAttempt_deliveryId_attempt_key" ON "WebhookDeliveryAttempt"("deliveryId", "attempt");

-- CreateIndex
CREATE INDEX "IdempotencyRecord_expiresAt_idx" ON "IdempotencyRecord"("expiresAt");

-- AddForeignKey
ALTER TABLE "WebhookDelivery" ADD CONSTRAINT "WebhookDelivery_webhookId_fkey" FOREIGN KEY ("webhookId") REFERENCES "Webhook"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebhookDeliveryAttempt" ADD CONSTRAINT "WebhookDeliveryAttempt_deliveryId_fkey" FOREIGN KEY ("deliveryId") REFERENCES "WebhookDelivery"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Raw SQL (not expressible in schema.prisma; listed in packages/db/src/drift/raw-sql-allowlist.ts).
-- A rotated-out secret is stored whole or not at all, sealed like the current one (12-byte iv,
-- 16-byte tag), and with the time it stops being used: half a record would sign with garbage.
ALTER TABLE "Webhook" ADD CONSTRAINT "Webhook_previousSecretAesGcm_check" CHECK (
  ("previousSecretCiphertext" IS NULL AND "previousSecretIv" IS NULL AND "previousSecretTag" IS NULL
    AND "previousSecretKeyId" IS NULL AND "previousSecretExpiresAt" IS NULL)
  OR ("previousSecretCiphertext" IS NOT NULL AND octet_length("previousSecretIv") = 12
    AND octet_length("previousSecretTag") = 16 AND "previousSecretKeyId" IS NOT NULL
    AND "previousSecretExpiresAt" IS NOT NULL)
);
ALTER TABLE "WebhookDelivery" ADD CONSTRAINT "WebhookDelivery_attemptCount_check" CHECK ("attemptCount" >= 0);
ALTER TABLE "WebhookDeliveryAttempt" ADD CONSTRAINT "WebhookDeliveryAttempt_attempt_check" CHECK ("attempt" >= 1 AND "durationMs" >= 0);
ALTER TABLE "IdempotencyRecord" ADD CONSTRAINT "IdempotencyRecord_response_check" CHECK (
  ("status" = 'IN_PROGRESS' AND "responseStatus" IS NULL) OR ("status" = 'COMPLETED' AND "responseStatus" IS NOT NULL)
);

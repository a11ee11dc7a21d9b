-- The issuer's per-order state (ADR 0010): the state machine's document with an optimistic-concurrency
-- version. ProcessedEvent (20261129093000_init) stays the only dedupe mechanism.

-- CreateTable
CREATE TABLE "OrderState" (
    "merchantId" VARCHAR(64) NOT NULL,
    "orderId" VARCHAR(64) NOT NULL,
    "status" "InvoiceStatus" NOT NULL,
    "document" JSONB NOT NULL,
    "version" INTEGER NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "OrderState_pkey" PRIMARY KEY ("merchantId","orderId")
);

-- CreateIndex
CREATE INDEX "OrderState_status_updatedAt_idx" ON "OrderState"("status", "updatedAt");

-- Raw SQL (not expressible in schema.prisma; listed in packages/db/src/drift/raw-sql-allowlist.ts).
-- A version below 1 would make "insert if absent" (expected version none) and "update version 0" mean
-- the same row; a document that is not an object is a bug in whoever wrote it.
ALTER TABLE "OrderState" ADD CONSTRAINT "OrderState_version_check" CHECK ("version" >= 1);
ALTER TABLE "OrderState" ADD CONSTRAINT "OrderState_document_check" CHECK (jsonb_typeof("document") = 'object');

-- cdc-sync (docs/adr/0015-cdc-sync.md): TaxInfo carries every tax field the Merchant table has, the
-- invalid-tax-code flag and the source transaction; an audit of applied changes; open drifts.

-- AlterTable
ALTER TABLE "TaxInfo" ALTER COLUMN "taxCode" SET DATA TYPE VARCHAR(64),
ADD COLUMN     "taxCodeValid" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "taxCodeIssue" VARCHAR(32),
ADD COLUMN     "provinceCode" VARCHAR(16),
ADD COLUMN     "communeCode" VARCHAR(16),
ADD COLUMN     "vatMethod" VARCHAR(32),
ADD COLUMN     "eInvoiceSettings" JSONB,
ADD COLUMN     "sourceTxId" BIGINT;

-- CreateTable
CREATE TABLE "TaxInfoAudit" (
    "id" BIGINT NOT NULL,
    "merchantId" VARCHAR(64) NOT NULL,
    "operation" VARCHAR(16) NOT NULL,
    "changedFields" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "before" JSONB,
    "after" JSONB,
    "sourceLsn" BIGINT NOT NULL,
    "sourceTxId" BIGINT,
    "sourceEventAt" TIMESTAMPTZ(3) NOT NULL,
    "actor" VARCHAR(128) NOT NULL,
    "correlationId" VARCHAR(256),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TaxInfoAudit_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TaxInfoDrift" (
    "merchantId" VARCHAR(64) NOT NULL,
    "kind" VARCHAR(32) NOT NULL,
    "fields" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "firstSeenAt" TIMESTAMPTZ(3) NOT NULL,
    "lastSeenAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "TaxInfoDrift_pkey" PRIMARY KEY ("merchantId","kind")
);

-- CreateIndex
CREATE INDEX "TaxInfo_taxCodeValid_idx" ON "TaxInfo"("taxCodeValid");

-- CreateIndex
CREATE INDEX "TaxInfoAudit_merchantId_createdAt_idx" ON "TaxInfoAudit"("merchantId", "createdAt");

-- CreateIndex
CREATE INDEX "TaxInfoDrift_lastSeenAt_idx" ON "TaxInfoDrift"("lastSeenAt");

-- CreateEnum
CREATE TYPE "InvoiceStatus" AS ENUM ('REQUESTED', 'AWAITING_CLAIM', 'ISSUING', 'ISSUED', 'FAILED', 'ADJUSTED', 'REPLACED');

-- CreateEnum
CREATE TYPE "InvoiceKind" AS ENUM ('ORIGINAL', 'REPLACEMENT', 'ADJUSTMENT');

-- CreateEnum
CREATE TYPE "BuyerKind" AS ENUM ('COMPANY', 'INDIVIDUAL', 'UNKNOWN');

-- CreateEnum
CREATE TYPE "InvoiceRequestStatus" AS ENUM ('PENDING', 'APPLIED', 'LATE', 'SUPERSEDED');

-- CreateEnum
CREATE TYPE "IssuanceOperation" AS ENUM ('ISSUE', 'LOOKUP', 'STATUS');

-- CreateEnum
CREATE TYPE "IssuanceOutcome" AS ENUM ('SUCCEEDED', 'NOT_FOUND', 'TRANSIENT_FAILURE', 'PERMANENT_FAILURE', 'UNKNOWN');

-- CreateEnum
CREATE TYPE "ClaimStatus" AS ENUM ('OPEN', 'SUBMITTED', 'EXPIRED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "AdministrativeLevel" AS ENUM ('PROVINCE', 'COMMUNE');

-- CreateTable
CREATE TABLE "Invoice" (
    "id" BIGINT NOT NULL,
    "merchantId" VARCHAR(64) NOT NULL,
    "orderId" VARCHAR(64) NOT NULL,
    "kind" "InvoiceKind" NOT NULL DEFAULT 'ORIGINAL',
    "relatedInvoiceId" BIGINT,
    "status" "InvoiceStatus" NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 0,
    "buyerNotGetInvoice" BOOLEAN NOT NULL DEFAULT false,
    "buyerKind" "BuyerKind",
    "buyerName" VARCHAR(400),
    "buyerTaxCode" VARCHAR(14),
    "buyerPersonalId" VARCHAR(12),
    "buyerAddress" VARCHAR(400),
    "buyerEmail" VARCHAR(254),
    "buyerPhone" VARCHAR(20),
    "sellerTaxCode" VARCHAR(14) NOT NULL,
    "sellerSnapshot" JSONB NOT NULL,
    "provider" VARCHAR(32) NOT NULL,
    "providerConfigSnapshot" JSONB NOT NULL,
    "invoiceType" VARCHAR(2) NOT NULL,
    "templateCode" VARCHAR(32) NOT NULL,
    "invoiceSeries" VARCHAR(16) NOT NULL,
    "invoiceDate" TIMESTAMPTZ(3),
    "currencyCode" VARCHAR(3) NOT NULL DEFAULT 'VND',
    "totalAmountWithoutTax" BIGINT NOT NULL,
    "totalDiscountAmount" BIGINT NOT NULL DEFAULT 0,
    "totalTaxAmount" BIGINT NOT NULL,
    "totalAmountWithTax" BIGINT NOT NULL,
    "transactionUuid" UUID NOT NULL,
    "providerInvoiceNo" VARCHAR(32),
    "providerTransactionId" VARCHAR(64),
    "providerReservationCode" VARCHAR(64),
    "providerTaxAuthorityCode" VARCHAR(34),
    "issuedAt" TIMESTAMPTZ(3),
    "failureReason" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "deletedAt" TIMESTAMPTZ(3),

    CONSTRAINT "Invoice_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "InvoiceLine" (
    "id" BIGINT NOT NULL,
    "invoiceId" BIGINT NOT NULL,
    "lineNumber" INTEGER NOT NULL,
    "sku" VARCHAR(64),
    "name" VARCHAR(500) NOT NULL,
    "unit" VARCHAR(50),
    "quantity" DECIMAL(18,6) NOT NULL,
    "unitPrice" BIGINT NOT NULL,
    "discountAmount" BIGINT NOT NULL DEFAULT 0,
    "amountWithoutTax" BIGINT NOT NULL,
    "vatRateCode" VARCHAR(16) NOT NULL,
    "vatRateBasisPoints" INTEGER,
    "vatAmount" BIGINT NOT NULL,
    "amountWithTax" BIGINT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "InvoiceLine_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "InvoiceRequest" (
    "id" BIGINT NOT NULL,
    "merchantId" VARCHAR(64) NOT NULL,
    "orderId" VARCHAR(64) NOT NULL,
    "invoiceId" BIGINT,
    "sourceEventId" VARCHAR(128) NOT NULL,
    "channel" VARCHAR(32) NOT NULL,
    "status" "InvoiceRequestStatus" NOT NULL DEFAULT 'PENDING',
    "buyerKind" "BuyerKind" NOT NULL,
    "buyerName" VARCHAR(400) NOT NULL,
    "buyerTaxCode" VARCHAR(14),
    "buyerPersonalId" VARCHAR(12),
    "buyerAddress" VARCHAR(400),
    "buyerEmail" VARCHAR(254),
    "buyerPhone" VARCHAR(20),
    "requestedAt" TIMESTAMPTZ(3) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "deletedAt" TIMESTAMPTZ(3),

    CONSTRAINT "InvoiceRequest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "InvoiceIssuance" (
    "id" BIGINT NOT NULL,
    "invoiceId" BIGINT NOT NULL,
    "attempt" INTEGER NOT NULL,
    "operation" "IssuanceOperation" NOT NULL,
    "provider" VARCHAR(32) NOT NULL,
    "idempotencyKey" UUID NOT NULL,
    "requestPayload" JSONB NOT NULL,
    "responsePayload" JSONB,
    "httpStatus" INTEGER,
    "outcome" "IssuanceOutcome" NOT NULL,
    "errorClass" VARCHAR(64),
    "errorMessage" TEXT,
    "latencyMs" INTEGER,
    "startedAt" TIMESTAMPTZ(3) NOT NULL,
    "finishedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "InvoiceIssuance_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "InvoiceAuditTracing" (
    "id" BIGINT NOT NULL,
    "invoiceId" BIGINT,
    "merchantId" VARCHAR(64) NOT NULL,
    "orderId" VARCHAR(64) NOT NULL,
    "eventType" VARCHAR(64) NOT NULL,
    "eventId" VARCHAR(128),
    "outcome" VARCHAR(32) NOT NULL,
    "fromStatus" "InvoiceStatus",
    "toStatus" "InvoiceStatus",
    "before" JSONB,
    "after" JSONB,
    "actor" VARCHAR(128) NOT NULL,
    "correlationId" VARCHAR(128),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "InvoiceAuditTracing_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Claim" (
    "id" BIGINT NOT NULL,
    "invoiceId" BIGINT NOT NULL,
    "merchantId" VARCHAR(64) NOT NULL,
    "orderId" VARCHAR(64) NOT NULL,
    "token" UUID NOT NULL,
    "status" "ClaimStatus" NOT NULL DEFAULT 'OPEN',
    "claimDeadline" TIMESTAMPTZ(3) NOT NULL,
    "submittedAt" TIMESTAMPTZ(3),
    "closedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Claim_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TaxInfo" (
    "merchantId" VARCHAR(64) NOT NULL,
    "taxCode" VARCHAR(14) NOT NULL,
    "legalName" VARCHAR(400) NOT NULL,
    "address" VARCHAR(400) NOT NULL,
    "email" VARCHAR(254),
    "phone" VARCHAR(20),
    "sourceLsn" BIGINT NOT NULL,
    "sourceEventAt" TIMESTAMPTZ(3) NOT NULL,
    "syncedAt" TIMESTAMPTZ(3) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "deletedAt" TIMESTAMPTZ(3),

    CONSTRAINT "TaxInfo_pkey" PRIMARY KEY ("merchantId")
);

-- CreateTable
CREATE TABLE "MerchantProfile" (
    "merchantId" VARCHAR(64) NOT NULL,
    "displayName" VARCHAR(200),
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "claimWindowSeconds" INTEGER NOT NULL,
    "provider" VARCHAR(32) NOT NULL,
    "providerConfig" JSONB NOT NULL DEFAULT '{}',
    "providerCredentialId" BIGINT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "deletedAt" TIMESTAMPTZ(3),

    CONSTRAINT "MerchantProfile_pkey" PRIMARY KEY ("merchantId")
);

-- CreateTable
CREATE TABLE "ProviderCredential" (
    "id" BIGINT NOT NULL,
    "merchantId" VARCHAR(64),
    "provider" VARCHAR(32) NOT NULL,
    "label" VARCHAR(64) NOT NULL,
    "ciphertext" BYTEA NOT NULL,
    "iv" BYTEA NOT NULL,
    "tag" BYTEA NOT NULL,
    "keyId" VARCHAR(64) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "deletedAt" TIMESTAMPTZ(3),

    CONSTRAINT "ProviderCredential_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Webhook" (
    "id" BIGINT NOT NULL,
    "merchantId" VARCHAR(64) NOT NULL,
    "url" TEXT NOT NULL,
    "eventTypes" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "secretCiphertext" BYTEA NOT NULL,
    "secretIv" BYTEA NOT NULL,
    "secretTag" BYTEA NOT NULL,
    "secretKeyId" VARCHAR(64) NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "description" VARCHAR(200),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "deletedAt" TIMESTAMPTZ(3),

    CONSTRAINT "Webhook_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Configuration" (
    "key" VARCHAR(128) NOT NULL,
    "value" JSONB,
    "isSecret" BOOLEAN NOT NULL DEFAULT false,
    "ciphertext" BYTEA,
    "iv" BYTEA,
    "tag" BYTEA,
    "keyId" VARCHAR(64),
    "description" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "deletedAt" TIMESTAMPTZ(3),

    CONSTRAINT "Configuration_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "Role" (
    "code" VARCHAR(64) NOT NULL,
    "name" VARCHAR(128) NOT NULL,
    "description" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Role_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "Permission" (
    "code" VARCHAR(64) NOT NULL,
    "description" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Permission_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "RolePermission" (
    "roleCode" VARCHAR(64) NOT NULL,
    "permissionCode" VARCHAR(64) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RolePermission_pkey" PRIMARY KEY ("roleCode","permissionCode")
);

-- CreateTable
CREATE TABLE "AdministrativeUnit" (
    "code" VARCHAR(5) NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "level" "AdministrativeLevel" NOT NULL,
    "unitType" VARCHAR(32) NOT NULL,
    "shortCode" VARCHAR(8),
    "parentCode" VARCHAR(5),
    "source" VARCHAR(64) NOT NULL,
    "effectiveFrom" DATE NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "AdministrativeUnit_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "VatRatePolicy" (
    "code" VARCHAR(16) NOT NULL,
    "validFrom" DATE NOT NULL,
    "validTo" DATE,
    "rateBasisPoints" INTEGER,
    "providerTaxPercentage" VARCHAR(8) NOT NULL,
    "eligibility" VARCHAR(32) NOT NULL,
    "legalBasis" TEXT NOT NULL,
    "description" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "VatRatePolicy_pkey" PRIMARY KEY ("code","validFrom")
);

-- CreateTable
CREATE TABLE "ProcessedEvent" (
    "consumer" VARCHAR(128) NOT NULL,
    "eventId" VARCHAR(128) NOT NULL,
    "orderId" VARCHAR(64),
    "processedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ProcessedEvent_pkey" PRIMARY KEY ("consumer","eventId")
);

-- CreateIndex
CREATE UNIQUE INDEX "Invoice_transactionUuid_key" ON "Invoice"("transactionUuid");

-- CreateIndex
CREATE INDEX "Invoice_merchantId_orderId_idx" ON "Invoice"("merchantId", "orderId");

-- CreateIndex
CREATE INDEX "Invoice_status_updatedAt_idx" ON "Invoice"("status", "updatedAt");

-- CreateIndex
CREATE INDEX "Invoice_relatedInvoiceId_idx" ON "Invoice"("relatedInvoiceId");

-- CreateIndex
CREATE UNIQUE INDEX "Invoice_sellerTaxCode_invoiceSeries_providerInvoiceNo_key" ON "Invoice"("sellerTaxCode", "invoiceSeries", "providerInvoiceNo");

-- CreateIndex
CREATE UNIQUE INDEX "InvoiceLine_invoiceId_lineNumber_key" ON "InvoiceLine"("invoiceId", "lineNumber");

-- CreateIndex
CREATE UNIQUE INDEX "InvoiceRequest_sourceEventId_key" ON "InvoiceRequest"("sourceEventId");

-- CreateIndex
CREATE INDEX "InvoiceRequest_merchantId_orderId_idx" ON "InvoiceRequest"("merchantId", "orderId");

-- CreateIndex
CREATE INDEX "InvoiceRequest_invoiceId_idx" ON "InvoiceRequest"("invoiceId");

-- CreateIndex
CREATE INDEX "InvoiceIssuance_outcome_createdAt_idx" ON "InvoiceIssuance"("outcome", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "InvoiceIssuance_invoiceId_attempt_key" ON "InvoiceIssuance"("invoiceId", "attempt");

-- CreateIndex
CREATE INDEX "InvoiceAuditTracing_merchantId_orderId_createdAt_idx" ON "InvoiceAuditTracing"("merchantId", "orderId", "createdAt");

-- CreateIndex
CREATE INDEX "InvoiceAuditTracing_invoiceId_createdAt_idx" ON "InvoiceAuditTracing"("invoiceId", "createdAt");

-- CreateIndex
CREATE INDEX "InvoiceAuditTracing_correlationId_idx" ON "InvoiceAuditTracing"("correlationId");

-- CreateIndex
CREATE INDEX "Claim_token_idx" ON "Claim"("token");

-- CreateIndex
CREATE INDEX "Claim_invoiceId_idx" ON "Claim"("invoiceId");

-- CreateIndex
CREATE INDEX "Claim_status_claimDeadline_idx" ON "Claim"("status", "claimDeadline");

-- CreateIndex
CREATE INDEX "TaxInfo_taxCode_idx" ON "TaxInfo"("taxCode");

-- CreateIndex
CREATE INDEX "MerchantProfile_providerCredentialId_idx" ON "MerchantProfile"("providerCredentialId");

-- CreateIndex
CREATE INDEX "ProviderCredential_merchantId_provider_idx" ON "ProviderCredential"("merchantId", "provider");

-- CreateIndex
CREATE INDEX "Webhook_merchantId_idx" ON "Webhook"("merchantId");

-- CreateIndex
CREATE INDEX "RolePermission_permissionCode_idx" ON "RolePermission"("permissionCode");

-- CreateIndex
CREATE INDEX "AdministrativeUnit_parentCode_idx" ON "AdministrativeUnit"("parentCode");

-- CreateIndex
CREATE INDEX "AdministrativeUnit_level_idx" ON "AdministrativeUnit"("level");

-- CreateIndex
CREATE INDEX "ProcessedEvent_processedAt_idx" ON "ProcessedEvent"("processedAt");

-- AddForeignKey
ALTER TABLE "Invoice" ADD CONSTRAINT "Invoice_relatedInvoiceId_fkey" FOREIGN KEY ("relatedInvoiceId") REFERENCES "Invoice"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InvoiceLine" ADD CONSTRAINT "InvoiceLine_invoiceId_fkey" FOREIGN KEY ("invoiceId") REFERENCES "Invoice"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InvoiceRequest" ADD CONSTRAINT "InvoiceRequest_invoiceId_fkey" FOREIGN KEY ("invoiceId") REFERENCES "Invoice"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InvoiceIssuance" ADD CONSTRAINT "InvoiceIssuance_invoiceId_fkey" FOREIGN KEY ("invoiceId") REFERENCES "Invoice"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InvoiceAuditTracing" ADD CONSTRAINT "InvoiceAuditTracing_invoiceId_fkey" FOREIGN KEY ("invoiceId") REFERENCES "Invoice"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Claim" ADD CONSTRAINT "Claim_invoiceId_fkey" FOREIGN KEY ("invoiceId") REFERENCES "Invoice"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MerchantProfile" ADD CONSTRAINT "MerchantProfile_providerCredentialId_fkey" FOREIGN KEY ("providerCredentialId") REFERENCES "ProviderCredential"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RolePermission" ADD CONSTRAINT "RolePermission_roleCode_fkey" FOREIGN KEY ("roleCode") REFERENCES "Role"("code") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RolePermission" ADD CONSTRAINT "RolePermission_permissionCode_fkey" FOREIGN KEY ("permissionCode") REFERENCES "Permission"("code") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AdministrativeUnit" ADD CONSTRAINT "AdministrativeUnit_parentCode_fkey" FOREIGN KEY ("parentCode") REFERENCES "AdministrativeUnit"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- ---------------------------------------------------------------------------------------------
-- Hand-written below: objects schema.prisma cannot express. Each is named in the header comment of
-- schema.prisma and in the drift check's allowlist (packages/db/src/drift/raw-sql-allowlist.ts).
-- ---------------------------------------------------------------------------------------------

-- CreateIndex
-- At most one ACTIVE invoice per order. FAILED (including refunded before issuance) and REPLACED invoices, soft-deleted rows and
-- adjustment invoices (which amend the active one) do not count.
CREATE UNIQUE INDEX "Invoice_merchantId_orderId_active_key" ON "Invoice"("merchantId", "orderId") WHERE "deletedAt" IS NULL AND "status" NOT IN ('FAILED', 'REPLACED') AND "kind" <> 'ADJUSTMENT';

-- CreateIndex
-- An open claim token identifies exactly one claim, and an invoice has at most one open claim.
CREATE UNIQUE INDEX "Claim_token_open_key" ON "Claim"("token") WHERE "status" = 'OPEN';

-- CreateIndex
CREATE UNIQUE INDEX "Claim_invoiceId_open_key" ON "Claim"("invoiceId") WHERE "status" = 'OPEN';

-- CreateIndex
CREATE UNIQUE INDEX "Webhook_merchantId_url_active_key" ON "Webhook"("merchantId", "url") WHERE "deletedAt" IS NULL;

-- AddCheckConstraint
ALTER TABLE "Invoice" ADD CONSTRAINT "Invoice_amounts_check" CHECK ("totalAmountWithoutTax" >= 0 AND "totalDiscountAmount" >= 0 AND "totalTaxAmount" >= 0 AND "totalAmountWithTax" >= 0 AND "version" >= 0);

-- AddCheckConstraint
-- Replacement and adjustment invoices name the invoice they correct; originals name none.
ALTER TABLE "Invoice" ADD CONSTRAINT "Invoice_relatedInvoice_check" CHECK (("kind" = 'ORIGINAL') = ("relatedInvoiceId" IS NULL));

-- AddCheckConstraint
ALTER TABLE "InvoiceLine" ADD CONSTRAINT "InvoiceLine_amounts_check" CHECK ("lineNumber" >= 1 AND "quantity" >= 0 AND "unitPrice" >= 0 AND "discountAmount" >= 0 AND "amountWithoutTax" >= 0 AND "vatAmount" >= 0 AND "amountWithTax" >= 0);

-- AddCheckConstraint
ALTER TABLE "InvoiceLine" ADD CONSTRAINT "InvoiceLine_vatRateBasisPoints_check" CHECK ("vatRateBasisPoints" BETWEEN 0 AND 10000);

-- AddCheckConstraint
ALTER TABLE "InvoiceIssuance" ADD CONSTRAINT "InvoiceIssuance_attempt_check" CHECK ("attempt" >= 1 AND ("latencyMs" IS NULL OR "latencyMs" >= 0));

-- AddCheckConstraint
ALTER TABLE "TaxInfo" ADD CONSTRAINT "TaxInfo_sourceLsn_check" CHECK ("sourceLsn" >= 0);

-- AddCheckConstraint
ALTER TABLE "MerchantProfile" ADD CONSTRAINT "MerchantProfile_claimWindowSeconds_check" CHECK ("claimWindowSeconds" >= 0);

-- AddCheckConstraint
-- AES-256-GCM: 96-bit IV, 128-bit authentication tag.
ALTER TABLE "ProviderCredential" ADD CONSTRAINT "ProviderCredential_aesGcm_check" CHECK (octet_length("iv") = 12 AND octet_length("tag") = 16);

-- AddCheckConstraint
ALTER TABLE "Webhook" ADD CONSTRAINT "Webhook_secretAesGcm_check" CHECK (octet_length("secretIv") = 12 AND octet_length("secretTag") = 16);

-- AddCheckConstraint
ALTER TABLE "Webhook" ADD CONSTRAINT "Webhook_url_check" CHECK ("url" ~ '^https?://');

-- AddCheckConstraint
-- A setting is either plain (value) or secret (AES-256-GCM ciphertext, iv, tag, keyId), never both.
ALTER TABLE "Configuration" ADD CONSTRAINT "Configuration_value_check" CHECK (("isSecret" AND "value" IS NULL AND "ciphertext" IS NOT NULL AND "iv" IS NOT NULL AND "tag" IS NOT NULL AND "keyId" IS NOT NULL AND octet_length("iv") = 12 AND octet_length("tag") = 16) OR (NOT "isSecret" AND "value" IS NOT NULL AND "ciphertext" IS NULL AND "iv" IS NULL AND "tag" IS NULL AND "keyId" IS NULL));

-- AddCheckConstraint
-- Official codes: 2 digits for the 34 provinces, 5 digits for communes, which always have a province.
ALTER TABLE "AdministrativeUnit" ADD CONSTRAINT "AdministrativeUnit_code_check" CHECK (("level" = 'PROVINCE' AND "code" ~ '^[0-9]{2}$' AND "parentCode" IS NULL) OR ("level" = 'COMMUNE' AND "code" ~ '^[0-9]{5}$' AND "parentCode" IS NOT NULL));

-- AddCheckConstraint
ALTER TABLE "VatRatePolicy" ADD CONSTRAINT "VatRatePolicy_validity_check" CHECK ("validTo" IS NULL OR "validTo" >= "validFrom");

-- AddCheckConstraint
-- KCT and KKKNT are markers without a rate; every other code has one between 0 % and 100 %.
ALTER TABLE "VatRatePolicy" ADD CONSTRAINT "VatRatePolicy_rate_check" CHECK (("rateBasisPoints" IS NULL) = ("code" IN ('KCT', 'KKKNT')) AND ("rateBasisPoints" IS NULL OR "rateBasisPoints" BETWEEN 0 AND 10000));

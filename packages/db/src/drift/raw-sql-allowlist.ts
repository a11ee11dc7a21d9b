/**
 * Objects the migrations create with hand-written SQL because schema.prisma cannot express them
 * (see the header of prisma/schema.prisma). The drift check ignores exactly these when comparing the
 * migrated database with schema.prisma, and fails when one of them is missing or changed shape, so an
 * enforcement rule cannot disappear unnoticed. Add an entry here in the same change as its migration.
 */
export interface AllowedPartialIndex {
  name: string;
  table: string;
  columns: string[];
  unique: boolean;
  /** Column names the WHERE clause must mention (the predicate text itself is PostgreSQL-formatted). */
  predicateMentions: string[];
}

export interface AllowedCheck {
  name: string;
  table: string;
}

export interface RawSqlAllowlist {
  partialIndexes: AllowedPartialIndex[];
  checks: AllowedCheck[];
}

export const rawSqlAllowlist: RawSqlAllowlist = {
  partialIndexes: [
    {
      // At most one active invoice per order (DESIGN.md section 4).
      name: "Invoice_merchantId_orderId_active_key",
      table: "Invoice",
      columns: ["merchantId", "orderId"],
      unique: true,
      predicateMentions: ["deletedAt", "status", "kind"],
    },
    {
      // Claim tokens are unique while open (DESIGN.md section 7).
      name: "Claim_token_open_key",
      table: "Claim",
      columns: ["token"],
      unique: true,
      predicateMentions: ["status"],
    },
    {
      name: "Claim_invoiceId_open_key",
      table: "Claim",
      columns: ["invoiceId"],
      unique: true,
      predicateMentions: ["status"],
    },
    {
      // One open claim per order (ADR 0014).
      name: "Claim_merchantId_orderId_open_key",
      table: "Claim",
      columns: ["merchantId", "orderId"],
      unique: true,
      predicateMentions: ["status"],
    },
    {
      // The claims outbox relay's queue (ADR 0014).
      name: "Claim_unpublished_idx",
      table: "Claim",
      columns: ["updatedAt"],
      unique: false,
      predicateMentions: ["status", "eventPublishedAt"],
    },
    {
      name: "Webhook_merchantId_url_active_key",
      table: "Webhook",
      columns: ["merchantId", "url"],
      unique: true,
      predicateMentions: ["deletedAt"],
    },
  ],
  checks: [
    { name: "Invoice_amounts_check", table: "Invoice" },
    { name: "Invoice_relatedInvoice_check", table: "Invoice" },
    { name: "InvoiceLine_amounts_check", table: "InvoiceLine" },
    { name: "InvoiceLine_vatRateBasisPoints_check", table: "InvoiceLine" },
    { name: "InvoiceIssuance_attempt_check", table: "InvoiceIssuance" },
    { name: "Claim_amounts_check", table: "Claim" },
    { name: "Claim_lifecycle_check", table: "Claim" },
    { name: "TaxInfo_sourceLsn_check", table: "TaxInfo" },
    { name: "MerchantProfile_claimWindowSeconds_check", table: "MerchantProfile" },
    { name: "ProviderCredential_aesGcm_check", table: "ProviderCredential" },
    { name: "Webhook_secretAesGcm_check", table: "Webhook" },
    { name: "Webhook_url_check", table: "Webhook" },
    { name: "Configuration_value_check", table: "Configuration" },
    { name: "AdministrativeUnit_code_check", table: "AdministrativeUnit" },
    { name: "VatRatePolicy_validity_check", table: "VatRatePolicy" },
    { name: "VatRatePolicy_rate_check", table: "VatRatePolicy" },
    { name: "OrderState_version_check", table: "OrderState" },
    { name: "OrderState_document_check", table: "OrderState" },
    { name: "Webhook_previousSecretAesGcm_check", table: "Webhook" },
    { name: "WebhookDelivery_attemptCount_check", table: "WebhookDelivery" },
    { name: "WebhookDeliveryAttempt_attempt_check", table: "WebhookDeliveryAttempt" },
    { name: "IdempotencyRecord_response_check", table: "IdempotencyRecord" },
  ],
};

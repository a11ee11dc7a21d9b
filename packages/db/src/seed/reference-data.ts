/**
 * Reference data the platform needs on every database. Roles/permissions and VAT policies are owned by
 * this file (re-seeding updates them); configuration rows are defaults only (re-seeding never
 * overwrites a value an operator changed).
 */

export const PERMISSIONS: ReadonlyArray<{ code: string; description: string }> = [
  { code: "invoice:read", description: "Read invoices, lines, issuance attempts and audit trail" },
  { code: "invoice:replay", description: "Replay an order's issuance" },
  { code: "invoice:adjust", description: "Request an adjustment or replacement invoice (Decree 70/2025)" },
  { code: "claim:read", description: "Read claims" },
  { code: "claim:manage", description: "Cancel or re-open claims" },
  { code: "merchant-profile:read", description: "Read merchant profiles" },
  { code: "merchant-profile:write", description: "Change claim window and provider settings" },
  { code: "tax-info:read", description: "Read seller tax info" },
  { code: "tax-info:resync", description: "Re-sync a merchant's tax info from commerce" },
  { code: "webhook:read", description: "Read webhook endpoints" },
  { code: "webhook:manage", description: "Create, change and delete webhook endpoints" },
  { code: "provider-credential:manage", description: "Store and rotate provider credentials" },
  { code: "configuration:read", description: "Read platform configuration (secrets stay encrypted)" },
  { code: "configuration:manage", description: "Change platform configuration" },
  { code: "dlq:read", description: "List and inspect dead-letter records" },
  { code: "dlq:replay", description: "Re-publish dead-letter records" },
  { code: "audit:read", description: "Read audit trails across merchants" },
];

const MERCHANT_VIEWER = [
  "invoice:read",
  "claim:read",
  "merchant-profile:read",
  "tax-info:read",
  "webhook:read",
] as const;

export const ROLES: ReadonlyArray<{
  code: string;
  name: string;
  description: string;
  permissions: readonly string[];
}> = [
  {
    code: "merchant_viewer",
    name: "Merchant viewer",
    description: "Reads its own merchant's invoices and settings (merchant REST API)",
    permissions: MERCHANT_VIEWER,
  },
  {
    code: "merchant_admin",
    name: "Merchant administrator",
    description: "Manages its own merchant's settings, webhooks and corrections",
    permissions: [
      ...MERCHANT_VIEWER,
      "invoice:adjust",
      "claim:manage",
      "merchant-profile:write",
      "webhook:manage",
    ],
  },
  {
    code: "operator",
    name: "Operator",
    description: "SRE/support: replays, DLQ and tax-info re-sync across merchants",
    permissions: [
      "invoice:read",
      "invoice:replay",
      "claim:read",
      "merchant-profile:read",
      "tax-info:read",
      "tax-info:resync",
      "webhook:read",
      "configuration:read",
      "dlq:read",
      "dlq:replay",
      "audit:read",
    ],
  },
  {
    code: "platform_admin",
    name: "Platform administrator",
    description: "Everything, including credentials and configuration",
    permissions: PERMISSIONS.map((p) => p.code),
  },
];

/** Non-secret defaults; secrets are never seeded (they come from env or are stored encrypted). */
export const DEFAULT_CONFIGURATIONS: ReadonlyArray<{ key: string; value: unknown; description: string }> = [
  {
    key: "claims.defaultWindowSeconds",
    value: 86_400,
    description: "Claim window given to a new merchant profile when onboarding does not set one",
  },
  {
    key: "claims.tokenRateLimitPerMinute",
    value: 30,
    description: "Claim page/API requests per token and minute",
  },
  {
    key: "issuance.retry.maxAttempts",
    value: 8,
    description: "Provider attempts before an invoice goes to the DLQ",
  },
  {
    key: "issuance.retry.initialBackoffMs",
    value: 1_000,
    description: "First retry delay; doubles per attempt",
  },
  { key: "issuance.retry.maxBackoffMs", value: 300_000, description: "Upper bound of the retry delay" },
  {
    key: "issuance.unknownOutcomeLookupDelayMs",
    value: 90_000,
    description: "Wait before looking up an invoice whose send timed out (SInvoice: no resend within 90 s)",
  },
  {
    key: "processedEvent.retentionDays",
    value: 30,
    description: "Age after which dedupe rows may be pruned",
  },
];

export interface VatRatePolicyRow {
  code: string;
  validFrom: string;
  validTo: string | null;
  rateBasisPoints: number | null;
  providerTaxPercentage: string;
  eligibility: "ALL" | "REDUCED_RATE_ELIGIBLE";
  legalBasis: string;
  description: string;
}

const VAT_LAW = "Law on VAT 48/2024/QH15 (effective 2025-07-01)";

/** Periods before 2025-07-01 are not modelled: the platform issues no invoices dated before it. */
export const VAT_RATE_POLICIES: readonly VatRatePolicyRow[] = [
  {
    code: "10",
    validFrom: "2025-07-01",
    validTo: null,
    rateBasisPoints: 1000,
    providerTaxPercentage: "10",
    eligibility: "ALL",
    legalBasis: VAT_LAW,
    description: "Standard rate",
  },
  {
    code: "8",
    validFrom: "2025-07-01",
    validTo: "2026-12-31",
    rateBasisPoints: 800,
    providerTaxPercentage: "8",
    eligibility: "REDUCED_RATE_ELIGIBLE",
    legalBasis: "Decree 174/2025/ND-CP implementing Resolution 204/2025/QH15",
    description:
      "Temporary 2-point reduction of the 10 % rate for eligible goods and services (not telecoms, finance, real estate, metals, mining, excise goods)",
  },
  {
    code: "5",
    validFrom: "2025-07-01",
    validTo: null,
    rateBasisPoints: 500,
    providerTaxPercentage: "5",
    eligibility: "ALL",
    legalBasis: VAT_LAW,
    description: "Reduced rate for listed essential goods and services",
  },
  {
    code: "0",
    validFrom: "2025-07-01",
    validTo: null,
    rateBasisPoints: 0,
    providerTaxPercentage: "0",
    eligibility: "ALL",
    legalBasis: VAT_LAW,
    description: "Exported goods and services, international transport",
  },
  {
    code: "KCT",
    validFrom: "2025-07-01",
    validTo: null,
    rateBasisPoints: null,
    providerTaxPercentage: "-2",
    eligibility: "ALL",
    legalBasis: VAT_LAW,
    description: "Không chịu thuế: not subject to VAT",
  },
  {
    code: "KKKNT",
    validFrom: "2025-07-01",
    validTo: null,
    rateBasisPoints: null,
    providerTaxPercentage: "-1",
    eligibility: "ALL",
    legalBasis: VAT_LAW,
    description: "Không kê khai, tính nộp thuế: not required to declare and pay VAT",
  },
];

// Public API of @invoice/provider: the provider port, the Viettel SInvoice adapter and the
// circuit-breaker wrapper (README.md has the contract and the SInvoice mapping table).

export {
  BREAKER_STATE,
  type BreakerState,
  type CircuitBreakerOptions,
  type GuardedProviderAdapter,
  withCircuitBreakers,
} from "./breaker/circuit-breakers.ts";
export type {
  CorrectionContext,
  Exchange,
  IssuedInvoice,
  IssueOutcome,
  IssueRequest,
  LookupOutcome,
  LookupRequest,
  ProviderAdapter,
  ProviderCredentials,
  SellerContext,
} from "./port.ts";
export {
  isProviderError,
  PROVIDER_ERROR_CODES,
  ProviderError,
  type ProviderErrorCode,
  type ProviderErrorOptions,
  type ProviderOperation,
  type SendVerdict,
} from "./provider-error.ts";
export { mapDocument, taxPercentage, vietnamMidnight } from "./sinvoice/map-document.ts";
export {
  SInvoiceAdapter,
  type SInvoiceAdapterOptions,
  type SInvoiceTimeouts,
} from "./sinvoice/sinvoice-adapter.ts";
export type { SInvoiceCreateBody } from "./sinvoice/sinvoice-types.ts";

// Public API of @invoice/domain: pure functions and types, no I/O.

export {
  type BuyerErrorCode,
  type BuyerResult,
  normalizeBuyer,
  sameBuyer,
  sameTaxIdentity,
} from "./buyer.ts";
export { buildInvoiceDocument } from "./document/build-document.ts";
export { invoiceDocumentToXml } from "./document/document-xml.ts";
export { DECREASE_WORDS_PREFIX } from "./document/signed-amounts.ts";
export { normalizeText } from "./document/text.ts";
export {
  type BuildDocumentResult,
  type DocumentIssue,
  type DocumentLine,
  type DocumentVatRow,
  INVOICE_FORMAT_VERSION,
  type InvoiceCorrectionInput,
  type InvoiceDocument,
  type InvoiceSnapshot,
  type SellerSnapshot,
} from "./document/types.ts";
export { escapeXml } from "./document/xml-writer.ts";
export * from "./events.ts";
export { isLocalDate, isValidInstant, type LocalDate, vietnamDateOf } from "./local-date.ts";
export { attemptIdOf, currentAttempt, isOpen, mayExist } from "./order/attempts.ts";
export { type Decision, decide } from "./order/decide.ts";
export {
  type AuditOutcome,
  type AuditRecord,
  type Effect,
  type EffectType,
  type InvoiceReference,
  type IssuanceDates,
  isProviderEffect,
  type ProviderCall,
  type ProviderEffect,
  type RejectCode,
  type ReviewCode,
  type SendCall,
} from "./order/effects.ts";
export {
  CALL_END_MARGIN_MS,
  DEFAULT_MERCHANT_POLICY,
  type MerchantPolicy,
  providerCallTimeoutMs,
  SEND_LEASE_MS,
  SEND_START_WINDOW_MS,
} from "./order/policy.ts";
export {
  type AttemptStatus,
  activeInvoice,
  type BuyerFact,
  type ClaimRecord,
  type CorrectionReason,
  effectiveBuyer,
  type FactRef,
  type Failure,
  type InvoiceRecord,
  ORDER_STATUSES,
  type OrderState,
  type OrderStatus,
  type PaymentFact,
  type ProviderAttempt,
  type RefundFact,
} from "./order/state.ts";
export type { FreshIds } from "./order/step.ts";
export { INVOICE_KEY_NAMESPACE, invoiceTransactionUuid } from "./order/transaction-uuid.ts";
export {
  type InvoiceKindLetter,
  type InvoiceSymbol,
  type InvoiceSymbolErrorCode,
  type InvoiceSymbolResult,
  KINDS_BY_TEMPLATE,
  parseInvoiceSymbol,
} from "./symbol/invoice-symbol.ts";
export {
  type PersonalIdErrorCode,
  type PersonalIdResult,
  type TaxCodeErrorCode,
  type TaxCodeKind,
  type TaxCodeResult,
  taxCodeCheckDigit,
  validatePersonalId,
  validateTaxCode,
} from "./tax-code/tax-code.ts";
export {
  type ComputedLine,
  type ComputeTotalsOptions,
  computeInvoiceTotals,
  type InvoiceLineInput,
  type InvoiceTotals,
  type TotalsErrorCode,
  type TotalsResult,
  type VatBreakdownRow,
} from "./vat/totals.ts";
export {
  type VatCategory,
  type VatPolicy,
  type VatReductionPeriod,
  VIETNAM_VAT_POLICY,
} from "./vat/vat-policy.ts";
export {
  compareVatRates,
  resolveVatRate,
  type VatRate,
  type VatRateErrorCode,
  type VatRateResult,
} from "./vat/vat-rate.ts";
export { amountInWords } from "./words/amount-in-words.ts";

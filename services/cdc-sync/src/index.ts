// Public entry of @invoice/cdc-sync for the ops CLI (issue 13), the benchmark and tests: the handler,
// its ports and the drift/re-sync functions. The service itself starts from main.ts.
// TEMPORARY (until the platform's record-processing package replaces it; see the file's header).
export { createMerchantCdcConsumer } from "./consumer/merchant-cdc.temporary-consumer.ts";
export {
  type CommerceMerchantSource,
  createCommerceMerchantSource,
} from "./drift/commerce-merchant-source.ts";
export {
  createDriftMetrics,
  type Drift,
  type DriftKind,
  type ReconcileReport,
  reconcileTaxInfo,
} from "./drift/reconcile-tax-info.ts";
export { createAvroEnvelopeDecoder } from "./envelope/avro-envelope-decoder.ts";
export { createRecordDecoder, type ValueFormat } from "./envelope/record-decoder.ts";
export { type CdcMetrics, createCdcMetrics } from "./handler/cdc-metrics.ts";
export type { Disposition } from "./handler/disposition.ts";
export { createMerchantCdcHandler, type MerchantCdcHandlerOptions } from "./handler/merchant-cdc.handler.ts";
export { type ResyncResult, resyncMerchant } from "./resync/resync-merchant.ts";
export { createPrismaTaxInfoStore } from "./store/prisma-tax-info-store.ts";
export type { MetadataTax, TaxInfoStore } from "./store/tax-info-store.ts";
export { type ColumnMapping, DEFAULT_COLUMN_MAPPING, parseColumnMapping } from "./tax/column-mapping.ts";

// Test fixtures of @invoice/provider for other packages' tests (the issuer's, the benchmark's).
export {
  SAMPLE_KINDS,
  SAMPLE_SELLER_TAX_CODE,
  type SampleKind,
  type SampleOptions,
  sampleDocument,
  sampleIssueRequest,
  sampleSeller,
} from "./sample-requests.ts";

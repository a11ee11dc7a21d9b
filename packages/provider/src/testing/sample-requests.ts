import { randomUUID } from "node:crypto";
import {
  buildInvoiceDocument,
  type InvoiceDocument,
  type InvoiceSnapshot,
  vietnamDateOf,
} from "@invoice/domain";
import type { IssueRequest, SellerContext } from "../port.ts";

/** The invoice kinds the SInvoice mapping is tested with (one golden JSON each). */
export const SAMPLE_KINDS = [
  "company",
  "individual",
  "anonymous",
  "mixed-vat",
  "kct",
  "increase-adjustment",
  "decrease-adjustment",
  "replacement",
] as const;
export type SampleKind = (typeof SAMPLE_KINDS)[number];

export const SAMPLE_SELLER_TAX_CODE = "0100109106";

/** A seller context for tests: Viettel's public test tax code, template 1/001. */
export function sampleSeller(overrides: Partial<SellerContext> = {}): SellerContext {
  return {
    supplierTaxCode: SAMPLE_SELLER_TAX_CODE,
    templateCode: "1/001",
    credentials: { username: `${SAMPLE_SELLER_TAX_CODE}-509`, password: "simulator-password" },
    ...overrides,
  };
}

const SELLER: InvoiceSnapshot["seller"] = {
  name: "Công ty Cổ phần Thương mại Sông Hồng",
  taxCode: SAMPLE_SELLER_TAX_CODE,
  address: "Số 1 Giang Văn Minh, Phường Ba Đình, Hà Nội",
  phone: "024 1234 5678",
  email: "hoadon@songhong.vn",
  bankAccount: "0011-0022-0033",
  bankName: "Ngân hàng TMCP Ngoại thương Việt Nam",
};

const LINES: InvoiceSnapshot["lines"] = [
  {
    name: "Áo thun cotton",
    sku: "AT-01",
    unit: "cái",
    quantity: 2,
    unitPriceVnd: 150_000,
    vatCategory: "VAT10_REDUCIBLE",
  },
  { name: "Gói cước viễn thông", unit: "gói", quantity: 1, unitPriceVnd: 100_000, vatCategory: "VAT10" },
];

function snapshotOf(
  kind: SampleKind,
  invoiceDate: string,
  transactionUuid: string,
  series: string,
): InvoiceSnapshot {
  const base: InvoiceSnapshot = {
    orderId: `ORD-${kind}`,
    merchantId: "M-42",
    transactionUuid,
    symbol: `1${series}`,
    invoiceDate,
    seller: SELLER,
    buyer: {
      kind: "company",
      name: "Công ty TNHH Sữa Việt",
      taxCode: "0300588569",
      address: "10 Tân Trào, Phường Tân Phú, TP. Hồ Chí Minh",
      email: "ketoan@suaviet.vn",
    },
    lines: LINES,
  };
  const original = { templateCode: "1", series, invoiceNo: "12", invoiceDate };
  switch (kind) {
    case "company":
      return base;
    case "individual":
      return {
        ...base,
        buyer: {
          kind: "individual",
          name: "Nguyễn Văn An",
          address: "25 Lý Thường Kiệt, Hà Nội",
          personalId: "001090012345",
        },
      };
    case "anonymous":
      return { ...base, buyer: { kind: "anonymous" }, paymentMethod: "TM" };
    case "mixed-vat":
      return {
        ...base,
        lines: [
          ...LINES,
          {
            name: "Sách giáo khoa",
            unit: "cuốn",
            quantity: 3,
            unitPriceVnd: 50_000,
            discountVnd: 10_000,
            vatCategory: "VAT5",
          },
          { name: "Phần mềm xuất khẩu", quantity: "1.5", unitPriceVnd: 333_333, vatCategory: "VAT0" },
        ],
      };
    case "kct":
      return {
        ...base,
        lines: [
          { name: "Dịch vụ khám bệnh", quantity: 1, unitPriceVnd: 500_000, vatCategory: "KCT" },
          { name: "Phí thu hộ", quantity: 1, unitPriceVnd: 20_000, vatCategory: "KKKNT" },
        ],
      };
    case "increase-adjustment":
      return {
        ...base,
        lines: [LINES[0] as InvoiceSnapshot["lines"][number]],
        correction: { kind: "adjustment", direction: "increase", original, note: "Điều chỉnh tăng số lượng" },
      };
    case "decrease-adjustment":
      return {
        ...base,
        lines: [{ ...(LINES[0] as InvoiceSnapshot["lines"][number]), quantity: 1 }],
        correction: { kind: "adjustment", direction: "decrease", original, note: "Trả lại 1 áo" },
      };
    case "replacement":
      return {
        ...base,
        buyer: {
          kind: "company",
          name: "Công ty TNHH Sữa Việt Nam",
          taxCode: "0300588569",
          address: "10 Tân Trào, TP. Hồ Chí Minh",
        },
        correction: { kind: "replacement", original, note: "Sai tên người mua" },
      };
  }
}

export interface SampleOptions {
  /** Default today (Vietnam time): the simulator refuses future dates, and numbering is per day-ordered series. */
  invoiceDate?: string;
  transactionUuid?: string;
  /** Series without the template digit; default `C<yy>TAA` for the invoice date's year. */
  series?: string;
  seller?: Partial<SellerContext>;
}

/** A valid document of one kind, built by the domain's own builder (throws if the builder refuses it). */
export function sampleDocument(kind: SampleKind, options: SampleOptions = {}): InvoiceDocument {
  const invoiceDate = options.invoiceDate ?? vietnamDateOf(Date.now());
  const series = options.series ?? `C${invoiceDate.slice(2, 4)}TAA`;
  const built = buildInvoiceDocument(
    snapshotOf(kind, invoiceDate, options.transactionUuid ?? randomUUID(), series),
  );
  if (!built.ok) throw new Error(`sample ${kind} did not build: ${built.reason}`);
  return built.document;
}

/** A ready IssueRequest of one kind for the sample seller. */
export function sampleIssueRequest(kind: SampleKind, options: SampleOptions = {}): IssueRequest {
  const document = sampleDocument(kind, options);
  return {
    document,
    idempotencyKey: document.transactionUuid,
    attemptId: randomUUID(),
    seller: sampleSeller(options.seller),
  };
}

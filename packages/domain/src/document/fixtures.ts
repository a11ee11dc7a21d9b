import type { InvoiceSnapshot } from "./types.ts";

/** A valid snapshot for tests; override what a case is about. */
export function sampleSnapshot(overrides: Partial<InvoiceSnapshot> = {}): InvoiceSnapshot {
  return {
    orderId: "ORD-1001",
    merchantId: "M-42",
    transactionUuid: "6f1d2c1e-7a7e-4c59-9a77-2b8f0f4d1a10",
    symbol: "1C26TAA",
    invoiceDate: "2026-03-15",
    seller: {
      name: "Công ty Cổ phần Thương mại Sông Hồng",
      taxCode: "0100109106",
      address: "Số 1 Giang Văn Minh, Phường Ba Đình, Hà Nội",
      phone: "02412345678",
      email: "hoadon@songhong.vn",
    },
    buyer: {
      kind: "company",
      name: "Công ty TNHH Sữa Việt",
      taxCode: "0300588569",
      address: "10 Tân Trào, Phường Tân Phú, TP. Hồ Chí Minh",
      email: "ketoan@suaviet.vn",
    },
    lines: [
      {
        name: "Áo thun cotton",
        sku: "AT-01",
        unit: "cái",
        quantity: 2,
        unitPriceVnd: 150_000,
        vatCategory: "VAT10_REDUCIBLE",
      },
      { name: "Gói cước viễn thông", unit: "gói", quantity: 1, unitPriceVnd: 100_000, vatCategory: "VAT10" },
      {
        name: "Sách giáo khoa",
        unit: "cuốn",
        quantity: 3,
        unitPriceVnd: 50_000,
        discountVnd: 10_000,
        vatCategory: "VAT5",
      },
    ],
    ...overrides,
  };
}

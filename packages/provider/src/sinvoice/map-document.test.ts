import { readFileSync, writeFileSync } from "node:fs";
import { validateInvoice } from "@invoice/provider-simulator";
import { describe, expect, it } from "vitest";
import { SAMPLE_KINDS, type SampleKind, sampleIssueRequest } from "../testing/index.ts";
import { mapDocument, taxPercentage, vietnamMidnight } from "./map-document.ts";
import type { SInvoiceCreateBody } from "./sinvoice-types.ts";

const DATE = "2026-03-15";
const KEY = "6f1d2c1e-7a7e-4c59-9a77-2b8f0f4d1a10";

function body(kind: SampleKind): SInvoiceCreateBody {
  const request = sampleIssueRequest(kind, { invoiceDate: DATE, transactionUuid: KEY });
  const mapped = mapDocument(request);
  if (!mapped.ok) throw new Error(mapped.issues.join("; "));
  return mapped.body;
}

const golden = (kind: SampleKind) => new URL(`./golden/${kind}.json`, import.meta.url);

describe("mapDocument golden JSON", () => {
  for (const kind of SAMPLE_KINDS) {
    it(`${kind} matches its golden file`, () => {
      const actual = `${JSON.stringify(body(kind), null, 2)}\n`;
      // UPDATE_GOLDEN=1 rewrites the files; review the diff field by field against the spec.
      if (process.env.UPDATE_GOLDEN === "1") writeFileSync(golden(kind), actual);
      expect(actual).toBe(readFileSync(golden(kind), "utf8"));
    });
  }
});

const ALLOWED_PAYMENT_NAMES = [
  "TM",
  "CK",
  "TM/CK",
  "DTCN",
  "KHAC",
  "Tiền mặt",
  "Chuyển khoản",
  "Tiền mặt/Chuyển khoản",
];

/** Every number in the body (SInvoice money fields are never negative: spec 6.6-6.8). */
function numbers(value: unknown, path = ""): [string, number][] {
  if (typeof value === "number") return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => numbers(v, `${path}[${i}]`));
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => numbers(v, path ? `${path}.${k}` : k));
  }
  return [];
}

describe("mapDocument follows the SInvoice spec field by field", () => {
  for (const kind of SAMPLE_KINDS) {
    it(`${kind}: general info, parties, lines, breakdowns and totals obey the spec's rules`, () => {
      const b = body(kind);
      const g = b.generalInvoiceInfo;
      expect(g.transactionUuid).toBe(KEY);
      expect(g.invoiceType).toBe("1");
      expect(g.templateCode).toBe("1/001");
      expect(g.invoiceSeries).toMatch(/^[a-zA-Z0-9/]{1,25}$/);
      expect(g.invoiceIssuedDate).toBe(vietnamMidnight(DATE));
      expect(g.invoiceIssuedDate % 1000).toBe(0); // seconds precision (spec 5.1)
      expect([g.currencyCode, g.exchangeRate, g.paymentStatus]).toEqual(["VND", 1, true]);
      // Negative values only where the spec allows them: taxPercentage -1 / -2.
      for (const [path, n] of numbers(b))
        if (!path.endsWith("taxPercentage")) expect(n, path).toBeGreaterThanOrEqual(0);
      expect(b.sellerInfo.sellerTaxCode).toBe("0100109106");
      expect(b.sellerInfo.sellerPhoneNumber).toMatch(/^\d+$/);
      expect(b.sellerInfo.sellerBankAccount).toMatch(/^\d+$/);
      expect(b.sellerInfo.sellerAddressLine.length).toBeLessThanOrEqual(255);
      if (b.buyerInfo.buyerNotGetInvoice === 0) {
        expect(b.buyerInfo.buyerName ?? b.buyerInfo.buyerLegalName).toBeTruthy();
        expect(b.buyerInfo.buyerAddressLine).toBeTruthy();
      }
      if (b.buyerInfo.buyerTaxCode) expect(b.buyerInfo.buyerLegalName).toBeTruthy();
      expect(b.payments).toHaveLength(1);
      expect(ALLOWED_PAYMENT_NAMES).toContain(b.payments[0]?.paymentMethodName);

      const perRate = new Map<number, { taxable: number; vat: number }>();
      for (const i of b.itemInfo) {
        expect(Math.abs(i.quantity * i.unitPrice - i.itemTotalAmountWithoutTax)).toBeLessThanOrEqual(5);
        expect([-2, -1, 0, 5, 8, 10]).toContain(i.taxPercentage);
        expect(i.itemTotalAmountAfterDiscount).toBe(i.itemTotalAmountWithoutTax - i.itemDiscount);
        const expectedVat =
          i.taxPercentage > 0 ? (i.itemTotalAmountAfterDiscount * i.taxPercentage) / 100 : 0;
        expect(Math.abs(i.taxAmount - expectedVat)).toBeLessThanOrEqual(1); // VAT_AMOUNT_INVALID tolerance
        expect(i.itemTotalAmountWithTax).toBe(i.itemTotalAmountAfterDiscount + i.taxAmount);
        const row = perRate.get(i.taxPercentage) ?? { taxable: 0, vat: 0 };
        row.taxable += i.itemTotalAmountAfterDiscount;
        row.vat += i.taxAmount;
        perRate.set(i.taxPercentage, row);
      }
      expect(b.taxBreakdowns.map((r) => r.taxPercentage).sort()).toEqual([...perRate.keys()].sort());
      for (const r of b.taxBreakdowns) {
        expect({ taxable: r.taxableAmount, vat: r.taxAmount }).toEqual(perRate.get(r.taxPercentage));
      }
      const s = b.summarizeInfo;
      const sum = (f: (r: (typeof b.taxBreakdowns)[number]) => number) =>
        b.taxBreakdowns.reduce((t, r) => t + f(r), 0);
      expect(s.totalAmountWithoutTax).toBe(sum((r) => r.taxableAmount));
      expect(s.totalAmountAfterDiscount).toBe(s.totalAmountWithoutTax);
      expect(s.totalTaxAmount).toBe(sum((r) => r.taxAmount));
      expect(s.totalAmountWithTax).toBe(s.totalAmountWithoutTax + s.totalTaxAmount);
      expect(s.discountAmount).toBe(b.itemInfo.reduce((t, i) => t + i.itemDiscount, 0));
      expect(s.totalAmountWithTaxInWords.length).toBeGreaterThan(0);
      expect(s.totalAmountWithTaxInWords.length).toBeLessThanOrEqual(255);
      // The simulator's reading of the same spec accepts it.
      expect(validateInvoice(b, "0100109106")).toMatchObject({ ok: true });
    });
  }

  it("anonymous retail buyer: buyerNotGetInvoice = 1 and no buyer fields", () => {
    expect(body("anonymous").buyerInfo).toEqual({ buyerNotGetInvoice: 1 });
    expect(body("anonymous").payments).toEqual([{ paymentMethod: "1", paymentMethodName: "TM" }]);
  });

  it("company buyer: legal name and tax code; individual: name and CCCD", () => {
    expect(body("company").buyerInfo).toMatchObject({
      buyerNotGetInvoice: 0,
      buyerLegalName: "Công ty TNHH Sữa Việt",
      buyerTaxCode: "0300588569",
    });
    expect(body("company").buyerInfo.buyerName).toBeUndefined();
    expect(body("individual").buyerInfo).toEqual({
      buyerNotGetInvoice: 0,
      buyerName: "Nguyễn Văn An",
      buyerAddressLine: "25 Lý Thường Kiệt, Hà Nội",
      buyerIdType: "1",
      buyerIdNo: "001090012345",
    });
  });

  it("mixed VAT: 10%, reduced 8%, 5% with a line discount and 0%, one breakdown row each", () => {
    const b = body("mixed-vat");
    expect(b.taxBreakdowns.map((r) => r.taxPercentage)).toEqual([10, 8, 5, 0]);
    const book = b.itemInfo[2];
    expect(book).toMatchObject({
      itemTotalAmountWithoutTax: 150_000,
      itemDiscount: 10_000,
      itemTotalAmountAfterDiscount: 140_000,
      taxAmount: 7_000,
    });
    expect(b.itemInfo[3]).toMatchObject({
      quantity: 1.5,
      unitPrice: 333_333,
      itemTotalAmountWithoutTax: 500_000,
    });
  });

  it("KCT and KKKNT lines: taxPercentage -2 and -1 with no VAT", () => {
    const b = body("kct");
    expect(b.itemInfo.map((i) => [i.taxPercentage, i.taxAmount])).toEqual([
      [-2, 0],
      [-1, 0],
    ]);
    expect(b.summarizeInfo.totalTaxAmount).toBe(0);
  });

  it("adjustments: adjustmentType 5 money, original reference, isIncreaseItem by direction, Pos flags on a decrease", () => {
    const up = body("increase-adjustment");
    const down = body("decrease-adjustment");
    for (const b of [up, down]) {
      expect(b.generalInvoiceInfo).toMatchObject({
        adjustmentType: "5",
        adjustmentInvoiceType: "1",
        originalInvoiceId: "C26TAA12",
        originalInvoiceIssueDate: vietnamMidnight(DATE),
        invoiceNote: "Điều chỉnh cho hóa đơn mẫu số 1, ký hiệu C26TAA, số 12, ngày 15/03/2026",
      });
      expect(b.generalInvoiceInfo.additionalReferenceDesc).toBeTruthy();
    }
    expect(up.itemInfo.every((i) => i.isIncreaseItem === true)).toBe(true);
    expect(up.taxBreakdowns[0]?.taxableAmountPos).toBeUndefined();
    expect(down.itemInfo.every((i) => i.isIncreaseItem === false)).toBe(true);
    expect(down.taxBreakdowns[0]).toMatchObject({
      taxableAmount: 150_000,
      taxAmount: 12_000,
      taxableAmountPos: false,
      taxAmountPos: false,
    });
    expect(down.summarizeInfo).toMatchObject({
      totalAmountWithTax: 162_000,
      isTotalAmountPos: false,
      isTotalTaxAmountPos: false,
      isTotalAmtWithoutTaxPos: false,
    });
    expect(down.summarizeInfo.totalAmountWithTaxInWords).toMatch(/^Giảm /);
  });

  it("replacement: adjustmentType 3, no adjustment fields on the lines", () => {
    const b = body("replacement");
    expect(b.generalInvoiceInfo).toMatchObject({ adjustmentType: "3", originalInvoiceId: "C26TAA12" });
    expect(b.generalInvoiceInfo.adjustmentInvoiceType).toBeUndefined();
    expect(b.generalInvoiceInfo.invoiceNote).toMatch(/^Thay thế cho hóa đơn mẫu số 1/);
    expect(b.itemInfo.every((i) => i.isIncreaseItem === undefined)).toBe(true);
  });

  it("an information adjustment is adjustmentInvoiceType 2; an explicit agreement document is used", () => {
    const request = sampleIssueRequest("increase-adjustment", { invoiceDate: DATE, transactionUuid: KEY });
    request.correction = {
      adjustmentKind: "info",
      agreement: { description: "Biên bản số 7/2026", date: 1_773_000_000_000 },
      originalIssuedAt: 1_773_540_000_000,
    };
    const mapped = mapDocument(request);
    expect(mapped.ok && mapped.body.generalInvoiceInfo).toMatchObject({
      adjustmentInvoiceType: "2",
      additionalReferenceDesc: "Biên bản số 7/2026",
      additionalReferenceDate: 1_773_000_000_000,
      originalInvoiceIssueDate: 1_773_540_000_000,
    });
  });
});

describe("mapDocument refuses what SInvoice cannot take (before sending)", () => {
  const base = () => sampleIssueRequest("company", { invoiceDate: DATE, transactionUuid: KEY });
  const issues = (request: ReturnType<typeof base>) => {
    const mapped = mapDocument(request);
    return mapped.ok ? [] : mapped.issues;
  };

  it("an idempotency key other than the document's transactionUuid", () => {
    expect(issues({ ...base(), idempotencyKey: "another-key-1234" })).toEqual([
      "idempotencyKey differs from document.transactionUuid",
    ]);
  });
  it("a supplier tax code other than the document's seller", () => {
    expect(issues({ ...base(), seller: { ...base().seller, supplierTaxCode: "0300588569" } })[0]).toMatch(
      /supplierTaxCode/,
    );
  });
  it("an issuedAt on another Vietnam date than the invoice date", () => {
    expect(issues({ ...base(), issuedAt: vietnamMidnight(DATE) - 1000 })[0]).toMatch(/issuedAt must fall on/);
    expect(issues({ ...base(), issuedAt: vietnamMidnight(DATE) + 86_399_999 })).toEqual([]);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, 1e20, -1]) {
      expect(issues({ ...base(), issuedAt: bad })[0]).toMatch(/issuedAt must fall on/);
    }
  });
  it("a template code of another invoice type", () => {
    expect(issues({ ...base(), seller: { ...base().seller, templateCode: "2/001" } })[0]).toMatch(
      /templateCode/,
    );
  });
  it("a named buyer without an address (buyerAddressLine is mandatory then)", () => {
    const request = base();
    request.document = { ...request.document, buyer: { kind: "individual", name: "Trần Thị Bình" } };
    expect(issues(request)).toEqual([
      "buyer.address is required by SInvoice for a buyer who takes the invoice",
    ]);
  });
  it("a seller address longer than 255 characters", () => {
    const request = base();
    request.document = {
      ...request.document,
      seller: { ...request.document.seller, address: "x".repeat(256) },
    };
    expect(issues(request)[0]).toMatch(/255/);
  });
});

describe("payments", () => {
  it("maps the spec's payment method names to their codes; other text is 5 (other)", () => {
    const codes = [
      "TM",
      "CK",
      "TM/CK",
      "DTCN",
      "Tiền mặt",
      "Chuyển khoản",
      "Tiền mặt/Chuyển khoản",
      "Ví điện tử",
    ].map((method) => {
      const request = sampleIssueRequest("company", { invoiceDate: DATE, transactionUuid: KEY });
      request.document = { ...request.document, paymentMethod: method };
      const mapped = mapDocument(request);
      return mapped.ok ? mapped.body.payments[0] : undefined;
    });
    expect(codes.map((p) => p?.paymentMethod)).toEqual(["1", "2", "3", "4", "6", "7", "8", "5"]);
    expect(codes[7]?.paymentMethodName).toBe("Ví điện tử");
  });
});

describe("taxPercentage", () => {
  it("maps our XML rate labels to SInvoice's codes", () => {
    expect(["10%", "8%", "5%", "0%", "KCT", "KKKNT", "KHAC:05.25%", "bogus"].map(taxPercentage)).toEqual([
      10,
      8,
      5,
      0,
      -2,
      -1,
      5.25,
      undefined,
    ]);
  });
});

import { describe, expect, it } from "vitest";
import { seededRandom } from "./dice.ts";
import { InvoiceStore, MAX_INVOICE_NUMBER, providerInvoiceNo, reservationCode } from "./store.ts";

const T = 1_796_000_000_000;
const fields = (transactionUuid: string, issuedAtMs = T) => ({
  transactionUuid,
  issuedAtMs,
  adjustmentType: "1" as const,
  account: "0100109106-509",
});

describe("InvoiceStore", () => {
  it("numbers per (seller, template, series) from 1, and writes the number SInvoice's way", () => {
    const store = new InvoiceStore(seededRandom(1));
    const a = store.series("0100109106", "1/001", "C26TAA");
    const b = store.series("0100109106", "1/001", "C26TBB");
    const c = store.series("0300588569", "1/001", "C26TAA");
    const numbers = [a, a, b, a, c].map((s, i) => store.insert(s, fields(`key-${i}-abcdef`), T, T).number);
    expect(numbers).toEqual([1, 2, 1, 3, 1]);
    const last = store.find("0100109106", "key-3-abcdef")[0];
    expect(last && providerInvoiceNo(last)).toBe("C26TAA3");
    expect(last && reservationCode(last)).toMatch(/^[0-9A-Z]{10}$/);
    expect(store.hasInvoice("0100109106", "C26TAA", 3)).toBe(true);
    expect(store.hasInvoice("0100109106", "C26TAA", 4)).toBe(false);
    expect(store.hasInvoice("0300588569", "C26TBB", 1)).toBe(false);
  });

  it("keeps every invoice of a key issued twice and reports the key", () => {
    const store = new InvoiceStore(seededRandom(2));
    const s = store.series("0100109106", "1/001", "C26TAA");
    store.insert(s, fields("dup-key-12345"), T, T);
    store.insert(s, fields("dup-key-12345"), T, T);
    store.insert(s, fields("single-key-1"), T, T);
    expect(store.find("0100109106", "dup-key-12345").map((i) => i.number)).toEqual([1, 2]);
    expect(store.duplicates(10)).toEqual([
      {
        supplierTaxCode: "0100109106",
        transactionUuid: "dup-key-12345",
        invoices: store.find("0100109106", "dup-key-12345"),
      },
    ]);
    expect([store.issuedCount, store.distinctKeys, store.duplicateKeyCount]).toEqual([3, 2, 1]);
  });

  it("refuses a date before the series' last invoice; the same second is fine", () => {
    const store = new InvoiceStore(seededRandom(3));
    const s = store.series("0100109106", "1/001", "C26TAA");
    store.insert(s, fields("first-key-12", T), T, T);
    expect(store.checkDate(s, T)).toEqual({ ok: true });
    expect(store.checkDate(s, T - 1000)).toMatchObject({ ok: false, code: "INVOICE_ISSUED_DATE_INVALID" });
    expect(store.checkDate(store.series("0100109106", "1/001", "C26TBB"), T - 1000)).toEqual({ ok: true });
  });

  it("lists a series' invoices in number order, with the account that created each", () => {
    const store = new InvoiceStore(seededRandom(5));
    const s = store.series("0100109106", "1/001", "C26TAA");
    store.insert(s, { ...fields("series-key-1", T), account: "seller-a" }, T, T);
    store.insert(store.series("0100109106", "1/001", "C26TBB"), fields("other-series"), T, T);
    store.insert(s, { ...fields("series-key-2", T + 1000), account: "seller-b" }, T, T);
    store.insert(s, { ...fields("series-key-3", T + 1000), account: "seller-a" }, T, T);
    const listed = store.seriesInvoices("0100109106", "C26TAA");
    expect(listed.map((i) => [i.number, i.issuedAtMs, i.account])).toEqual([
      [1, T, "seller-a"],
      [2, T + 1000, "seller-b"],
      [3, T + 1000, "seller-a"],
    ]);
    expect(Object.fromEntries(s.byAccount)).toEqual({ "seller-a": 2, "seller-b": 1 });
    expect(store.seriesInvoices("0300588569", "C26TAA")).toEqual([]);
  });

  it("stops at the 8-digit limit", () => {
    const store = new InvoiceStore(seededRandom(4));
    const s = store.series("0100109106", "1/001", "C26TAA");
    s.lastNumber = MAX_INVOICE_NUMBER;
    expect(store.checkDate(s, T)).toMatchObject({ ok: false, code: "INVOICE_NUMBER_EXHAUSTED" });
  });
});

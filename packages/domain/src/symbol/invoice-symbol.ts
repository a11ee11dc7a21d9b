import { isLocalDate, type LocalDate, yearOf } from "../local-date.ts";

/**
 * Kind letter (5th character of the full symbol), Circular 78/2021 Art. 4 as carried into Circular
 * 32/2025: T registered by enterprises/organisations/households, D public assets/national reserve/
 * special invoices, L issued by the tax authority case by case, M generated from cash registers
 * (máy tính tiền), N internal transfer delivery note, B agent delivery note, G VAT stamps/tickets/cards,
 * H sales stamps/tickets/cards, X electronic commercial invoice (new in Circular 32).
 */
export type InvoiceKindLetter = "T" | "D" | "L" | "M" | "N" | "B" | "G" | "H" | "X";

/** A parsed ký hiệu mẫu số + ký hiệu hóa đơn, e.g. `1C26TAA`. */
export interface InvoiceSymbol {
  /** Ký hiệu mẫu số (XML `KHMSHDon`): 1 VAT invoice, 2 sales invoice, ... 9. */
  templateCode: string;
  /** Ký hiệu hóa đơn (XML `KHHDon`), the six characters after the template digit: `C26TAA`. */
  series: string;
  /** Both together: `1C26TAA`. */
  full: string;
  /** C = with the tax authority's code (có mã), K = without. */
  withTaxAuthorityCode: boolean;
  /** Four-digit year of issue. */
  year: number;
  kind: InvoiceKindLetter;
  /** Two letters chosen by the seller. */
  sellerCode: string;
}

export type InvoiceSymbolErrorCode =
  | "EMPTY"
  | "INVALID_FORMAT"
  | "INVALID_TEMPLATE"
  | "INVALID_CODE_TYPE"
  | "INVALID_YEAR"
  | "YEAR_MISMATCH"
  | "INVALID_KIND"
  | "INVALID_SELLER_CODE"
  | "CASH_REGISTER_REQUIRES_CODE"
  | "KIND_TEMPLATE_MISMATCH"
  | "INVALID_INVOICE_DATE";

export type InvoiceSymbolResult =
  | ({ ok: true } & InvoiceSymbol)
  | { ok: false; code: InvoiceSymbolErrorCode };

const KINDS = new Set<string>(["T", "D", "L", "M", "N", "B", "G", "H", "X"]);

/**
 * Which kind letters go with which template digit (ký hiệu mẫu số). Derived from what each digit and
 * each letter stands for in Circular 78/2021 Art. 4 as amended by Circular 32/2025 (shared research
 * notes vn-einvoice.md section 1.3); the law describes the two separately, so this pairing is our
 * reading of it (revisit with a tax adviser):
 * - 1 VAT invoice: T, D, L, M, and G (stamps/tickets/cards that are VAT invoices);
 * - 2 sales invoice: T, D, L, M, and H (stamps/tickets/cards that are sales invoices);
 * - 3 public-asset sale, 4 national-reserve sale: D (the letter for public assets / national reserve);
 * - 5 other (e-stamps, tickets, cards, receipts): T, G, H;
 * - 6 internal transfer / agent delivery notes: N (internal transfer), B (agent);
 * - 7 electronic commercial invoice: X;
 * - 8, 9 VAT / sales invoice integrated with a tax or fee receipt: T.
 * So N and B (delivery notes) and X (commercial invoice) never go with a VAT invoice template.
 */
export const KINDS_BY_TEMPLATE: Readonly<Record<string, readonly InvoiceKindLetter[]>> = {
  "1": ["T", "D", "L", "M", "G"],
  "2": ["T", "D", "L", "M", "H"],
  "3": ["D"],
  "4": ["D"],
  "5": ["T", "G", "H"],
  "6": ["N", "B"],
  "7": ["X"],
  "8": ["T"],
  "9": ["T"],
};

/**
 * Parses and validates a full invoice symbol. Accepts lower case, surrounding spaces, full-width
 * characters and one separator between template digit and series (`1/C26TAA`, `1-C26TAA`, `1 C26TAA`).
 * The kind letter must go with the template digit ({@link KINDS_BY_TEMPLATE}). With `invoiceDate`,
 * the two-digit year must be that date's year.
 */
export function parseInvoiceSymbol(input: string, invoiceDate?: LocalDate): InvoiceSymbolResult {
  if (typeof input !== "string") return { ok: false, code: "EMPTY" };
  let text = input.normalize("NFKC").trim().toUpperCase();
  if (text === "") return { ok: false, code: "EMPTY" };
  text = text.replace(/^(\d)\s*[/\-\s]\s*/, "$1");
  if (text.length !== 7) return { ok: false, code: "INVALID_FORMAT" };
  const [template, codeType, y1, y2, kind, s1, s2] = [...text] as [string, ...string[]];
  if (!/^[1-9]$/.test(template)) return { ok: false, code: "INVALID_TEMPLATE" };
  if (codeType !== "C" && codeType !== "K") return { ok: false, code: "INVALID_CODE_TYPE" };
  const yy = `${y1}${y2}`;
  if (!/^\d{2}$/.test(yy)) return { ok: false, code: "INVALID_YEAR" };
  if (!kind || !KINDS.has(kind)) return { ok: false, code: "INVALID_KIND" };
  const sellerCode = `${s1}${s2}`;
  if (!/^[A-Z]{2}$/.test(sellerCode)) return { ok: false, code: "INVALID_SELLER_CODE" };
  // Invoices generated from cash registers always carry a code generated under the tax authority's
  // rules, so a "K...M.." symbol cannot exist.
  if (kind === "M" && codeType !== "C") return { ok: false, code: "CASH_REGISTER_REQUIRES_CODE" };
  if (!KINDS_BY_TEMPLATE[template]?.includes(kind as InvoiceKindLetter)) {
    return { ok: false, code: "KIND_TEMPLATE_MISMATCH" };
  }
  const year = 2000 + Number(yy);
  if (invoiceDate !== undefined) {
    if (!isLocalDate(invoiceDate)) return { ok: false, code: "INVALID_INVOICE_DATE" };
    if (yearOf(invoiceDate) !== year) return { ok: false, code: "YEAR_MISMATCH" };
  }
  return {
    ok: true,
    templateCode: template,
    series: text.slice(1),
    full: text,
    withTaxAuthorityCode: codeType === "C",
    year,
    kind: kind as InvoiceKindLetter,
    sellerCode,
  };
}

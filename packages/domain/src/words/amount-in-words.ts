import { doReadNumber, ReadingConfig } from "read-vietnamese-number";

/**
 * Reading conventions as Vietnamese invoices print the total in words (XML `TgTTTBChu`):
 * "nghìn" (not "ngàn"), "tỷ" (not "tỉ"), "lẻ" for a zero tens digit after hundreds (not "linh"),
 * "mốt" / "tư" / "lăm" after "mươi", "mười lăm" for 15, "không trăm" inside a group (1,000,005 ->
 * "một triệu không trăm lẻ năm"), and the currency word "đồng" at the end.
 */
function invoiceReadingConfig(): ReadingConfig {
  const config = new ReadingConfig();
  config.unit = ["đồng"];
  config.units = [[], ["nghìn"], ["triệu"], ["tỷ"]];
  config.oddText = "lẻ";
  config.fourToneText = "tư";
  return config;
}

const CONFIG = invoiceReadingConfig();

/**
 * The amount in Vietnamese words as invoices write it, first letter capitalised:
 * `amountInWords(1_250_000)` -> "Một triệu hai trăm năm mươi nghìn đồng".
 * Throws RangeError for anything but a non-negative whole number of VND (negative totals do not occur
 * on our documents; adjustment documents carry positive amounts and a direction).
 */
export function amountInWords(vnd: number | bigint): string {
  if (typeof vnd === "number" && !Number.isSafeInteger(vnd)) {
    throw new RangeError(`amountInWords expects a whole number of VND, got ${vnd}`);
  }
  if (typeof vnd !== "number" && typeof vnd !== "bigint")
    throw new RangeError("amountInWords expects a number");
  const value = BigInt(vnd);
  if (value < 0n) throw new RangeError(`amountInWords expects a non-negative amount, got ${vnd}`);
  const words = doReadNumber(value.toString(), CONFIG).normalize("NFC");
  return words.charAt(0).toLocaleUpperCase("vi") + words.slice(1);
}

/**
 * zod schemas for what senders give us (webhook bodies, commerce records, API requests), producing the
 * wire types of @invoice/schemas. Text is normalised the domain's way before it is checked (NFC,
 * whitespace runs to one space; identifiers through NFKC so full-width digits count), and buyers go
 * through the domain's own rules (normalizeBuyer: tax code check digit, personal id, required fields),
 * so a refusal here is the same refusal the issuer would make, reported with the field path.
 */
import { normalizeBuyer, normalizeText } from "@invoice/domain";
import type { Buyer, OrderLine } from "@invoice/schemas";
import { z } from "zod";

/** Opaque commerce ids (merchantId, orderId, paymentId, ...): visible ASCII, as the Avro events carry them. */
export const externalId = (max = 64) =>
  z
    .string()
    .transform((s) => s.normalize("NFKC").trim())
    .pipe(
      z
        .string()
        .min(1, "must not be empty")
        .max(max, `must be at most ${max} characters`)
        .regex(/^[\x21-\x7e]+$/, "must be visible ASCII characters without spaces"),
    );

/** Whole VND (đồng has no minor unit); within JavaScript's exact integers and Avro's long. */
export const vndAmount = ({ min = 0 }: { min?: number } = {}) =>
  z.number().int("must be whole VND").min(min).max(Number.MAX_SAFE_INTEGER);

/** Free text for the invoice (item names): NFC, one space per whitespace run, within the XML limit. */
export const invoiceText = (max: number) =>
  z
    .string()
    .transform(normalizeText)
    .pipe(z.string().min(1, "must not be empty").max(max, `must be at most ${max} characters`));

const optionalText = (max: number) =>
  z
    .string()
    .nullish()
    .transform((s) => (s === null || s === undefined ? undefined : normalizeText(s)))
    .transform((s) => (s === "" ? undefined : s))
    .pipe(z.string().max(max, `must be at most ${max} characters`).optional());

const QUANTITY = /^\d{1,12}(\.\d{1,6})?$/;

/** A decimal quantity, as a string or a number, kept exact as a string ("1.5"). */
const quantity = z
  .union([z.string(), z.number()])
  .transform((q) => (typeof q === "number" ? String(q) : q.normalize("NFKC").trim()))
  .pipe(
    z
      .string()
      .regex(QUANTITY, "must be a positive decimal with at most 6 decimal places")
      .refine((q) => Number(q) > 0, "must be greater than 0"),
  );

const VAT_CATEGORY = /^(10|5|0|KCT|KKKNT|KHAC:\d{1,2}(\.\d{1,2})?)$/;

export const lineSchema = z
  .object({
    sku: externalId(),
    name: invoiceText(500),
    unit: optionalText(50),
    quantity,
    unitPriceVnd: vndAmount(),
    discountVnd: vndAmount().default(0),
    /** Nature of the goods: 10, 5, 0, KCT, KKKNT or KHAC:<rate>; the rate itself follows the invoice date. */
    vatCategory: z
      .string()
      .transform((v) => v.normalize("NFKC").trim().toUpperCase())
      .pipe(z.string().regex(VAT_CATEGORY, "must be 10, 5, 0, KCT, KKKNT or KHAC:<rate>")),
    reducedRateEligible: z.boolean().default(false),
  })
  .superRefine((line, ctx) => {
    if (line.reducedRateEligible && line.vatCategory !== "10") {
      ctx.addIssue({
        code: "custom",
        path: ["reducedRateEligible"],
        message: "only a 10% line can be eligible for the reduced rate",
      });
    }
  })
  .transform(
    (line): OrderLine => ({
      sku: line.sku,
      name: line.name,
      unit: line.unit ?? null,
      quantity: line.quantity,
      unitPriceVnd: line.unitPriceVnd,
      discountVnd: line.discountVnd,
      vatCategory: line.vatCategory,
      reducedRateEligible: line.reducedRateEligible,
    }),
  );

const PHONE = /^\+?[0-9]{6,15}$/;

/**
 * A buyer: company (name, address and tax code mandatory, Decree 123 Art. 10(5)) or individual (a
 * name; tax code and 12-digit personal id optional but valid when given). Messages name the rule;
 * the issue's path names the field.
 */
export const buyerSchema = z
  .object({
    kind: z.enum(["company", "individual"]),
    name: z.string(),
    taxCode: z.string().nullish(),
    personalId: z.string().nullish(),
    address: z.string().nullish(),
    email: z.string().nullish(),
    phone: z.string().nullish(),
  })
  .transform((input, ctx): Buyer => {
    const result = normalizeBuyer({
      kind: input.kind,
      name: input.name,
      ...(input.taxCode ? { taxCode: input.taxCode } : {}),
      ...(input.personalId ? { personalId: input.personalId } : {}),
      ...(input.address ? { address: input.address } : {}),
      ...(input.email ? { email: input.email } : {}),
    });
    const phone = input.phone ? input.phone.normalize("NFKC").replace(/[\s.()-]/g, "") : undefined;
    if (phone !== undefined && phone !== "" && !PHONE.test(phone)) {
      ctx.addIssue({ code: "custom", path: ["phone"], message: "must be a phone number (6-15 digits)" });
    }
    if (!result.ok) {
      const detail = result.taxCodeError ? ` (${result.taxCodeError})` : "";
      ctx.addIssue({ code: "custom", path: [result.field], message: `${result.code}${detail}` });
      return z.NEVER;
    }
    const b = result.buyer;
    return {
      kind: b.kind === "company" ? "COMPANY" : "INDIVIDUAL",
      name: b.name,
      taxCode: b.taxCode ?? null,
      personalId: b.personalId ?? null,
      address: b.address ?? null,
      email: b.email ?? null,
      phone: phone ? phone : null,
    };
  });

export interface FieldError {
  /** Dotted path into the request, e.g. `data.buyer.taxCode` (array items by index: `data.lines.0.sku`). */
  path: string;
  message: string;
}

/** zod issues as field errors a sender can act on (never the submitted value). */
export function fieldErrors(error: z.ZodError, prefix: readonly PropertyKey[] = []): FieldError[] {
  return error.issues.map((issue) => ({
    path: [...prefix, ...issue.path].map(String).join(".") || "(body)",
    message: issue.message,
  }));
}

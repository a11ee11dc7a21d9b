import { createHash } from "node:crypto";

/**
 * Fixed namespace for our invoice idempotency keys. Changing it changes every key: never do that for
 * a provider account that already has invoices.
 */
export const INVOICE_KEY_NAMESPACE = "5b0c2f8e-3c1d-4f6a-9e27-8d4b1a6c9f30";

function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replace(/-/g, ""), "hex");
}

/**
 * The provider idempotency key (SInvoice transactionUuid) of invoice `seq` of an order: a name-based
 * UUID (RFC 9562 version 5) of `[merchantId, orderId, seq]` (JSON, so no
 * separator can make two orders collide). Deterministic, so a crash between deciding
 * and persisting cannot mint a second key for the same invoice, and a replay reuses the key.
 */
export function invoiceTransactionUuid(merchantId: string, orderId: string, seq: number): string {
  const hash = createHash("sha1")
    .update(uuidBytes(INVOICE_KEY_NAMESPACE))
    .update(JSON.stringify([merchantId, orderId, seq]), "utf8")
    .digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

import { HttpProblem } from "@invoice/http";
import { z } from "zod";

/** Every merchant API path starts with /merchants/{merchantId}. */
export const merchantPath = z.object({
  merchantId: z
    .string()
    .min(1)
    .max(64)
    .meta({ description: "A merchant the token holds (claim merchant_ids)" }),
});

/** RFC 9457 problem details with the platform's stable code. */
export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    code: z.string(),
    requestId: z.string().optional(),
  })
  .loose()
  .meta({ id: "Problem" });

/** Opaque page cursor: the last row's (createdAt, id), base64url JSON. */
export function encodeCursor(createdAt: Date, id: bigint): string {
  return Buffer.from(JSON.stringify([createdAt.toISOString(), id.toString()])).toString("base64url");
}

export function decodeCursor(cursor: string): { createdAt: Date; id: bigint } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as [unknown, unknown];
    if (
      typeof at === "string" &&
      typeof id === "string" &&
      /^\d{1,19}$/.test(id) &&
      !Number.isNaN(Date.parse(at))
    ) {
      return { createdAt: new Date(at), id: BigInt(id) };
    }
  } catch {
    // fall through to the refusal
  }
  throw new HttpProblem({
    status: 400,
    code: "CURSOR_INVALID",
    detail: "cursor is not one this API returned.",
  });
}

/** The WHERE part that continues a newest-first (createdAt, id) list after the cursor's row. */
export function afterCursor(after: { createdAt: Date; id: bigint } | undefined) {
  return after
    ? { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] }
    : {};
}

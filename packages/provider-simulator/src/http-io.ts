import type { IncomingMessage, ServerResponse } from "node:http";

/** Request bodies above this are refused with 413 (a real invoice is a few KB). */
export const MAX_BODY_BYTES = 1024 * 1024;

export class BodyTooLargeError extends Error {
  override readonly name = "BodyTooLargeError";
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLargeError(`body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
  contentType = "application/json",
): void {
  if (res.destroyed || res.headersSent) return; // the client gave up (timeout) or the socket was reset
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": `${contentType}; charset=utf-8`,
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** RFC 9457 problem details, for the admin API. */
export function sendProblem(res: ServerResponse, status: number, title: string, detail: string): void {
  sendJson(res, status, { type: "about:blank", title, status, detail }, {}, "application/problem+json");
}

/** Parses JSON or form-urlencoded bodies (searchInvoiceByTransactionUuid is a form in the spec). */
export function parseFields(req: IncomingMessage, body: string): Record<string, unknown> | undefined {
  const type = req.headers["content-type"] ?? "";
  if (type.includes("application/x-www-form-urlencoded")) {
    return Object.fromEntries(new URLSearchParams(body));
  }
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The access token of a request: `Cookie: access_token=...` (the spec) or `Authorization: Bearer ...`. */
export function accessTokenOf(req: IncomingMessage): string | undefined {
  const cookie = req.headers.cookie;
  if (cookie) {
    for (const part of cookie.split(";")) {
      const [name, ...value] = part.trim().split("=");
      if (name === "access_token") return value.join("=");
    }
  }
  const auth = req.headers.authorization;
  if (auth?.startsWith("Bearer ")) return auth.slice("Bearer ".length).trim();
  return undefined;
}

import { describeChain } from "@invoice/errors";

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/**
 * An error as a log field with claim tokens masked: every UUID in its messages (tokens are UUIDs), and
 * `secret` wherever it appears. Library messages sometimes quote the value they choked on (an Avro
 * validation error naming the payload, a driver quoting a parameter), and a log line must never carry
 * a live claim link. The stack is left out for the same reason; the type and code say what failed.
 */
export function safeError(error: unknown, secret?: string): { type: string; code?: string; message: string } {
  const code = (error as { code?: unknown } | null)?.code;
  // Masked before shortening, so a cut can never leave half a token behind.
  let message = describeChain(error, 100_000).replace(UUID, "{uuid}");
  if (secret) message = message.split(secret).join("{token}");
  if (message.length > 1_000) message = `${message.slice(0, 999)}…`;
  return {
    type: error instanceof Error ? error.name : typeof error,
    ...(typeof code === "string" ? { code } : {}),
    message,
  };
}

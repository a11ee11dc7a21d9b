import type { Logger } from "@invoice/observability";
import type { ProviderCredentials } from "../port.ts";
import { ProviderError } from "../provider-error.ts";
import { errorOf } from "./read-answer.ts";
import { type AccessToken, refreshTime } from "./token-cache.ts";
import { classifyTransportError, type HttpAnswer, type Transport } from "./transport.ts";

export interface LoginOptions {
  transport: Transport;
  /** SInvoice's `/auth/login` (outside the API root). */
  authUrl: string;
  timeoutMs: number;
  refreshMarginMs: number;
  now: () => number;
  logger?: Logger;
}

/**
 * `POST /auth/login {username, password}` → `access_token`, `expires_in` (spec 5.5). Rejects with a
 * ProviderError whose verdict is always "not-created": whatever goes wrong here, the invoice itself
 * was not sent. The password is never logged.
 */
export async function login(credentials: ProviderCredentials, options: LoginOptions): Promise<AccessToken> {
  const { logger } = options;
  const body = JSON.stringify({ username: credentials.username, password: credentials.password });
  const fail = (error: ProviderError) => {
    logger?.warn(
      { provider: "sinvoice", username: credentials.username, code: error.code },
      "provider login failed",
    );
    return new ProviderError(error.code, error.message, {
      operation: "login",
      cause: error,
      verdict: "not-created",
    });
  };
  let answer: HttpAnswer;
  try {
    answer = await options.transport.post(
      options.authUrl,
      body,
      { "content-type": "application/json", accept: "application/json" },
      options.timeoutMs,
    );
  } catch (error) {
    throw fail(classifyTransportError(error, "login", undefined));
  }
  const nowMs = options.now();
  if (answer.status === 400 || answer.status === 401 || answer.status === 403) {
    const message = `login refused: HTTP ${answer.status} ${answer.body.slice(0, 200)}`;
    throw fail(
      new ProviderError("PROVIDER_AUTH_REJECTED", message, { operation: "login", httpStatus: answer.status }),
    );
  }
  if (answer.status !== 200) throw fail(errorOf(answer, "login", nowMs));
  let json: { access_token?: unknown; expires_in?: unknown } = {};
  try {
    json = JSON.parse(answer.body);
  } catch {
    // an unreadable body is refused just below
  }
  if (typeof json.access_token !== "string" || json.access_token === "") {
    const error = new ProviderError("PROVIDER_BAD_RESPONSE", "login answer has no access_token", {
      operation: "login",
      httpStatus: 200,
    });
    throw fail(error);
  }
  // Odoo's integration notes 5-minute tokens; assume that when expires_in is missing.
  const expiresIn = typeof json.expires_in === "number" && json.expires_in > 0 ? json.expires_in : 300;
  logger?.debug({ provider: "sinvoice", username: credentials.username, expiresIn }, "provider login");
  return {
    value: json.access_token,
    expiresAtMs: nowMs + expiresIn * 1000,
    refreshAtMs: refreshTime(nowMs, expiresIn, options.refreshMarginMs),
  };
}

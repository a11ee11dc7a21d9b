import type { IncomingMessage, ServerResponse } from "node:http";
import { mergeConfig, parseConfig, parseOutage, SimulatorConfigError } from "./config.ts";
import { readBody, sendJson, sendProblem } from "./http-io.ts";
import { buildReport, invoiceView } from "./report.ts";
import type { SimulatorState } from "./state.ts";

/** Called after every change an operator makes, for the log. */
export type AdminLog = (event: string, fields: Record<string, unknown>) => void;

async function jsonBody(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req);
  if (text.trim() === "") return {};
  return JSON.parse(text);
}

/**
 * The admin API (no authentication: the simulator binds 127.0.0.1 and is a test tool). Every answer
 * is JSON; errors are problem+json (RFC 9457).
 */
export async function handleAdmin(
  state: SimulatorState,
  log: AdminLog,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const route = `${req.method} ${url.pathname}`;
  try {
    switch (route) {
      case "GET /admin/config":
        return sendJson(res, 200, state.config);
      case "PUT /admin/config":
      case "PATCH /admin/config": {
        const body = await jsonBody(req);
        state.setConfig(req.method === "PUT" ? parseConfig(body) : mergeConfig(state.config, body));
        log("simulator config changed", { config: state.config });
        return sendJson(res, 200, state.config);
      }
      case "POST /admin/outage": {
        const outage = parseOutage(await jsonBody(req));
        state.outage = { mode: outage.mode, untilMs: Date.now() + outage.durationMs };
        log("simulator outage started", { mode: outage.mode, durationMs: outage.durationMs });
        return sendJson(res, 200, { mode: outage.mode, until: new Date(state.outage.untilMs).toISOString() });
      }
      case "DELETE /admin/outage":
        state.outage = undefined;
        log("simulator outage ended", {});
        return sendJson(res, 200, { outage: null });
      case "GET /admin/report":
        return sendJson(res, 200, buildReport(state));
      case "POST /admin/reset":
        state.reset();
        log("simulator reset", {});
        return sendJson(res, 200, { reset: true });
      case "POST /admin/revoke-tokens": {
        const revoked = state.tokens.size;
        state.tokens.clear();
        log("simulator tokens revoked", { revoked });
        return sendJson(res, 200, { revoked });
      }
      case "GET /admin/invoices": {
        const taxCode = url.searchParams.get("supplierTaxCode") ?? "";
        const key = url.searchParams.get("transactionUuid") ?? "";
        const nowMs = Date.now();
        return sendJson(res, 200, {
          invoices: state.store.find(taxCode, key).map((invoice) => invoiceView(invoice, nowMs)),
        });
      }
      case "GET /admin/series": {
        const taxCode = url.searchParams.get("supplierTaxCode") ?? "";
        const series = url.searchParams.get("invoiceSeries") ?? "";
        const nowMs = Date.now();
        return sendJson(res, 200, {
          invoices: state.store.seriesInvoices(taxCode, series).map((invoice) => invoiceView(invoice, nowMs)),
        });
      }
      default:
        return sendProblem(res, 404, "Not Found", `no admin route ${route}`);
    }
  } catch (error) {
    if (error instanceof SimulatorConfigError)
      return sendProblem(res, 400, "Invalid configuration", error.message);
    if (error instanceof SyntaxError) return sendProblem(res, 400, "Invalid JSON", error.message);
    throw error;
  }
}

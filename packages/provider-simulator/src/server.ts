import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleepFor } from "node:timers/promises";
import { handleAdmin } from "./admin-api.ts";
import {
  mergeConfig,
  type OutageInput,
  parseConfig,
  parseOutage,
  type SimulatorConfig,
  type SimulatorConfigInput,
} from "./config.ts";
import { BodyTooLargeError, sendJson } from "./http-io.ts";
import { buildReport, invoiceView, type SimulatorReport } from "./report.ts";
import { type ApiContext, handleCreateInvoice, handleLogin, handleSearch } from "./sinvoice-api.ts";
import { SimulatorState } from "./state.ts";
import { providerInvoiceNo, reservationCode, type StoredInvoice } from "./store.ts";

/** Where SInvoice's integration API lives under its host (spec 7.1); also served without the prefix. */
export const API_PREFIX = "/services/einvoiceapplication/api";
const CREATE =
  /^(?:\/services\/einvoiceapplication\/api)?\/InvoiceAPI\/InvoiceWS\/createInvoice\/([0-9-]{10,14})$/;
const SEARCH =
  /^(?:\/services\/einvoiceapplication\/api)?\/InvoiceAPI\/InvoiceWS\/searchInvoiceByTransactionUuid$/;

/** Delays before the 2nd, 3rd and 4th delivery attempt of an asynchronous-numbering callback. */
const CALLBACK_RETRY_MS = [200, 1_000, 5_000];

export interface StartSimulatorOptions {
  /** 0 (the default) picks a free port: what tests use. */
  port?: number;
  host?: string;
  config?: SimulatorConfigInput;
  /** One call per admin change and per failed callback delivery; nothing per API request. */
  log?: (line: { msg: string } & Record<string, unknown>) => void;
}

export interface RunningSimulator {
  /** `http://host:port`. */
  url: string;
  port: number;
  /** The adapter's API base URL: `url` + `/services/einvoiceapplication/api`. */
  baseUrl: string;
  /** The adapter's login URL: `url` + `/auth/login`. */
  authUrl: string;
  /** The same operations as the admin API, in process. */
  config(): SimulatorConfig;
  /** Merges `patch` into the configuration (PATCH /admin/config). */
  configure(patch: SimulatorConfigInput): SimulatorConfig;
  report(): SimulatorReport;
  reset(): void;
  startOutage(outage: OutageInput): void;
  endOutage(): void;
  revokeTokens(): void;
  invoices(supplierTaxCode: string, transactionUuid: string): ReturnType<typeof invoiceView>[];
  /** Every invoice of a seller's series in number order (GET /admin/series). */
  seriesInvoices(supplierTaxCode: string, invoiceSeries: string): ReturnType<typeof invoiceView>[];
  close(): Promise<void>;
}

function callbackBody(invoice: StoredInvoice) {
  return {
    supplierTaxCode: invoice.series.supplierTaxCode,
    transactionUuid: invoice.transactionUuid,
    templateCode: invoice.series.templateCode,
    invoiceSeries: invoice.series.invoiceSeries,
    invoiceNo: providerInvoiceNo(invoice),
    invoiceNumber: invoice.number,
    issueDate: invoice.issuedAtMs,
    reservationCode: reservationCode(invoice),
    transactionID: String(invoice.transactionId),
    status: "ISSUED",
  };
}

/**
 * Starts the SInvoice simulator: the API (/auth/login, createInvoice/{MST},
 * searchInvoiceByTransactionUuid), the admin API (/admin/...) and /health, on node:http.
 */
export async function startSimulator(options: StartSimulatorOptions = {}): Promise<RunningSimulator> {
  const state = new SimulatorState(parseConfig(options.config ?? {}));
  const lifetime = new AbortController();
  const timers = new Set<NodeJS.Timeout>();
  const log = (msg: string, fields: Record<string, unknown>) => options.log?.({ msg, ...fields });

  const later = (ms: number, run: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, ms);
    timers.add(timer);
  };

  const deliver = (invoice: StoredInvoice, url: string, attempt: number) => {
    fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(callbackBody(invoice)),
      signal: AbortSignal.timeout(5_000),
    })
      .then((response) => {
        if (!response.ok) throw new Error(`callback answered ${response.status}`);
        state.counters.async.callbacksDelivered += 1;
      })
      .catch((error: unknown) => {
        if (lifetime.signal.aborted) return;
        const delay = CALLBACK_RETRY_MS[attempt];
        if (delay !== undefined) return later(delay, () => deliver(invoice, url, attempt + 1));
        state.counters.async.callbacksFailed += 1;
        log("simulator callback failed", { transactionUuid: invoice.transactionUuid, error: String(error) });
      });
  };

  const ctx: ApiContext = {
    state,
    sleep: (ms) => (ms > 0 ? sleepFor(ms, undefined, { signal: lifetime.signal }) : Promise.resolve()),
    scheduleCallback: (invoice) => {
      const url = state.config.async.callbackUrl;
      if (url === undefined) return;
      later(Math.max(0, invoice.numberedAtMs - Date.now()), () => deliver(invoice, url, 0));
    },
  };

  /** True when an outage answered (or swallowed) the request. */
  const underOutage = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const outage = state.activeOutage(Date.now());
    if (!outage) return false;
    state.counters.faults.outageRejected += 1;
    if (outage.mode === "503") {
      sendJson(
        res,
        503,
        { status: 503, error: "Service Unavailable", message: "outage" },
        { "retry-after": "1" },
      );
    } else if (outage.mode === "reset") {
      req.socket.destroy();
    } else {
      await ctx.sleep(Math.max(0, outage.untilMs - Date.now()));
      req.socket.destroy();
    }
    return true;
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://simulator");
    const path = url.pathname;
    if (path.startsWith("/admin/")) return handleAdmin(state, log, req, res, url);
    if (path === "/health") return sendJson(res, 200, { status: "ok" });
    if (req.method === "POST") {
      const create = CREATE.exec(path);
      const api = path === "/auth/login" || create !== null || SEARCH.test(path);
      if (api && (await underOutage(req, res))) return;
      if (path === "/auth/login") return handleLogin(ctx, req, res);
      if (create?.[1]) return handleCreateInvoice(ctx, req, res, create[1]);
      if (SEARCH.test(path)) return handleSearch(ctx, req, res);
    }
    sendJson(res, 404, { status: 404, error: "Not Found", path });
  };

  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, (req, res) => {
    route(req, res).catch((error: unknown) => {
      if (lifetime.signal.aborted) return res.destroy();
      if (error instanceof BodyTooLargeError)
        return sendJson(res, 413, { status: 413, error: "Payload Too Large" });
      log("simulator request failed", { error: String(error), url: req.url });
      sendJson(res, 500, { status: 500, error: "Internal Server Error", message: String(error) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  const url = `http://${address.includes(":") ? `[${address}]` : address}:${port}`;
  let closed: Promise<void> | undefined;

  return {
    url,
    port,
    baseUrl: `${url}${API_PREFIX}`,
    authUrl: `${url}/auth/login`,
    config: () => state.config,
    configure: (patch) => {
      state.setConfig(mergeConfig(state.config, patch));
      return state.config;
    },
    report: () => buildReport(state),
    reset: () => state.reset(),
    startOutage: (input) => {
      const outage = parseOutage(input);
      state.outage = { mode: outage.mode, untilMs: Date.now() + outage.durationMs };
    },
    endOutage: () => {
      state.outage = undefined;
    },
    revokeTokens: () => state.tokens.clear(),
    invoices: (taxCode, key) => state.store.find(taxCode, key).map((i) => invoiceView(i, Date.now())),
    seriesInvoices: (taxCode, series) =>
      state.store.seriesInvoices(taxCode, series).map((i) => invoiceView(i, Date.now())),
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        lifetime.abort();
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

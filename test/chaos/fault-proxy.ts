/**
 * An HTTP proxy between the issuer and the provider simulator, so a chaos scenario can act at the one
 * instant that matters for exactly-once: after the provider has created the invoice and before the
 * issuer has heard about it (or just after it heard, before it could commit). Every request is
 * forwarded unchanged; for createInvoice the scenario's hook sees the upstream answer and decides
 * whether the issuer gets it (`forward`) or never does (`drop`: the connection is destroyed, the
 * way a crash or a network cut looks to the caller).
 */
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface CreateAnswer {
  transactionUuid: string | undefined;
  status: number;
  body: string;
  /** The provider said it created (or found) the invoice. */
  created: boolean;
}

export type CreateVerdict = "forward" | "drop";

export interface FaultProxy {
  /** Origin of the proxy (its `/services/einvoiceapplication/api` is the issuer's base URL). */
  url: string;
  /** Called once per createInvoice after the upstream answered; the default forwards. */
  onCreateAnswered: ((answer: CreateAnswer) => CreateVerdict | Promise<CreateVerdict>) | undefined;
  /** createInvoice requests seen, per transactionUuid, and how many are in flight right now. */
  creates(): Map<string, number>;
  inFlightCreates(): number;
  /** The largest number of createInvoice requests of one key that were in flight at once. */
  maxConcurrentPerKey(): number;
  close(): Promise<void>;
}

const CREATE = /\/InvoiceAPI\/InvoiceWS\/createInvoice\//;

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.once("end", () => resolve(Buffer.concat(chunks)));
    stream.once("error", reject);
  });
}

function transactionUuidOf(body: Buffer): string | undefined {
  try {
    const parsed = JSON.parse(body.toString("utf8")) as {
      generalInvoiceInfo?: { transactionUuid?: unknown };
    };
    const key = parsed.generalInvoiceInfo?.transactionUuid;
    return typeof key === "string" ? key : undefined;
  } catch {
    return undefined;
  }
}

export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const target = new URL(upstream);
  const creates = new Map<string, number>();
  const inFlightByKey = new Map<string, number>();
  let inFlight = 0;
  let maxPerKey = 0;

  const proxy: FaultProxy = {
    url: "",
    onCreateAnswered: undefined,
    creates: () => creates,
    inFlightCreates: () => inFlight,
    maxConcurrentPerKey: () => maxPerKey,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readAll(req);
    const isCreate = req.method === "POST" && CREATE.test(req.url ?? "");
    const key = isCreate ? transactionUuidOf(body) : undefined;
    if (isCreate) {
      inFlight++;
      if (key) {
        creates.set(key, (creates.get(key) ?? 0) + 1);
        const now = (inFlightByKey.get(key) ?? 0) + 1;
        inFlightByKey.set(key, now);
        maxPerKey = Math.max(maxPerKey, now);
      }
    }
    try {
      const upstreamAnswer = await new Promise<{
        status: number;
        headers: IncomingMessage["headers"];
        body: Buffer;
      }>((resolve, reject) => {
        const headers = { ...req.headers, host: target.host, "content-length": String(body.length) };
        const out = request(
          { host: target.hostname, port: target.port, path: req.url, method: req.method, headers },
          (answer) => {
            readAll(answer).then(
              (answerBody) =>
                resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: answerBody }),
              reject,
            );
          },
        );
        out.once("error", reject);
        // The issuer gave up (its timeout): stop waiting for the upstream too.
        res.once("close", () => {
          if (!res.writableEnded) out.destroy();
        });
        out.end(body);
      });
      if (isCreate && proxy.onCreateAnswered) {
        const text = upstreamAnswer.body.toString("utf8");
        const verdict = await proxy.onCreateAnswered({
          transactionUuid: key,
          status: upstreamAnswer.status,
          body: text,
          created: upstreamAnswer.status === 200 && /"errorCode":null/.test(text),
        });
        if (verdict === "drop") {
          res.socket?.destroy();
          return;
        }
      }
      const headers = { ...upstreamAnswer.headers };
      delete headers["transfer-encoding"];
      headers["content-length"] = String(upstreamAnswer.body.length);
      res.writeHead(upstreamAnswer.status, headers);
      res.end(upstreamAnswer.body);
    } catch {
      // The upstream dropped the connection (simulated timeout, reset outage): so do we.
      res.socket?.destroy();
    } finally {
      if (isCreate) {
        inFlight--;
        if (key) inFlightByKey.set(key, (inFlightByKey.get(key) ?? 1) - 1);
      }
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => res.socket?.destroy());
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}

/**
 * Outbound merchant webhooks end to end: invoice.events records → deliveries to real HTTP endpoints,
 * signed with the endpoint's secret, retried after 5xx, a dead endpoint not holding up a live one,
 * the delivery log through the API, secret rotation, and the SSRF guard at connect time.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { verifyWebhook } from "@invoice/crypto";
import { type InvoiceEvent, invoiceEventToAvro, loadSchema, valueSubject } from "@invoice/schemas";
import { uniqueName, waitFor } from "@invoice/testing";
import { Agent, request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { guardedLookup } from "../src/outbound/safe-target.ts";
import { codec, type Ingest, type Jwks, kafkaClient, startIngest, startJwks } from "./support.ts";

interface Received {
  headers: IncomingMessage["headers"];
  body: string;
}

async function endpoint(behaviour: (n: number) => number | "hang") {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8").on("data", (c: string) => {
      body += c;
    });
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      const answer = behaviour(received.length);
      if (answer === "hang") return;
      res.statusCode = answer;
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/${uniqueName("e")}`;
  return {
    url,
    received,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let ingest: Ingest;
let jwks: Jwks;
const M1 = uniqueName("M1");
const M2 = uniqueName("M2");
let live: Awaited<ReturnType<typeof endpoint>>;
let dead: Awaited<ReturnType<typeof endpoint>>;
let liveSecret = "";
let liveId = "";
let token: string;

async function api(method: string, path: string, body?: unknown) {
  const response = await fetch(`${ingest.url}/v1/api${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function publish(events: InvoiceEvent[]) {
  const id = await codec.register(valueSubject("invoice.events"), loadSchema("invoice-event"));
  const producer = kafkaClient().producer();
  await producer.connect();
  await producer.send(
    "invoice.events",
    await Promise.all(
      events.map(async (e) => ({ key: e.orderId, value: await codec.encode(id, invoiceEventToAvro(e)) })),
    ),
  );
  await producer.disconnect();
}

function issued(merchantId: string): InvoiceEvent {
  return {
    eventId: uniqueName("out"),
    orderId: uniqueName("ORD"),
    merchantId,
    invoiceId: "123",
    occurredAt: Date.UTC(2026, 11, 1),
    causationEventId: null,
    type: "INVOICE_ISSUED",
    payload: {
      invoiceNo: "0000001",
      templateCode: "1/001",
      invoiceSeries: "C26TAA",
      invoiceDate: 20_788,
      totalPayableVnd: 110_000,
      buyerKind: "COMPANY",
      provider: "sinvoice",
      lookupCode: null,
      role: "ORIGINAL",
      invoiceSeq: 1,
      transactionUuid: "0b3f6c1e-1d2a-5c3b-9e4f-1a2b3c4d5e6f",
    },
  };
}

beforeAll(async () => {
  jwks = await startJwks();
  ingest = await startIngest({
    env: {
      JWKS_URL: jwks.url,
      OUTBOUND_WEBHOOK_PER_ENDPOINT_CONCURRENCY: "2",
      OUTBOUND_WEBHOOK_CONCURRENCY: "4",
    },
  });
  token = await jwks.token({
    sub: "u",
    merchant_ids: [M1, M2],
    permissions: ["webhooks:read", "webhooks:write"],
  });
  live = await endpoint((n) => (n <= 2 ? 500 : 200));
  dead = await endpoint(() => "hang");
  const created = await api("POST", `/merchants/${M1}/webhooks`, { url: live.url });
  liveSecret = created.body.secret as string;
  liveId = created.body.id as string;
  expect((await api("POST", `/merchants/${M2}/webhooks`, { url: dead.url })).status).toBe(201);
  expect(
    (
      await api("POST", `/merchants/${M1}/webhooks`, {
        url: `${dead.url}-m1`,
        eventTypes: ["invoice.failed"],
      })
    ).status,
  ).toBe(201);
});

afterAll(async () => {
  await ingest?.stop();
  await jwks?.close();
  await live?.close();
  await dead?.close();
});

describe("outbound webhooks", () => {
  it("delivers signed with the endpoint's secret, with the eventId, after retrying two 500s", async () => {
    const probe = issued(M1);
    // The consumer starts at the end of invoice.events: publish until it is positioned and delivers.
    await waitFor(
      async () => {
        if (!live.received.some((r) => r.headers["x-event-id"] === probe.eventId)) await publish([probe]);
        return live.received.some((r) => r.headers["x-event-id"] === probe.eventId && r !== live.received[0]);
      },
      { timeoutMs: 60_000, intervalMs: 2_000, description: "the probe delivered" },
    );
    await waitFor(() => live.received.length >= 3, { timeoutMs: 30_000, description: "third attempt" });
    const attempts = live.received.filter((r) => r.headers["x-event-id"] === probe.eventId);
    expect(attempts.length).toBeGreaterThanOrEqual(3);
    for (const r of attempts) {
      expect(
        verifyWebhook({
          secret: liveSecret,
          signatureHeader: r.headers["x-signature"],
          rawBody: r.body,
          now: Date.now(),
        }),
      ).toMatchObject({ ok: true });
    }
    expect(JSON.parse(attempts[0]?.body ?? "{}")).toMatchObject({
      eventId: probe.eventId,
      type: "invoice.issued",
      merchantId: M1,
      orderId: probe.orderId,
      invoiceId: "123",
      data: { invoiceNo: "0000001", invoiceSeries: "C26TAA" },
    });
    const log = await waitFor(
      async () => {
        const page = await api("GET", `/merchants/${M1}/webhooks/${liveId}/deliveries`);
        const items = page.body.items as Array<{
          eventId: string;
          status: string;
          attempts: Array<{ outcome: string; httpStatus: number }>;
        }>;
        const mine = items.find((i) => i.eventId === probe.eventId);
        return mine?.status === "DELIVERED" ? mine : undefined;
      },
      { description: "the delivery log to say DELIVERED" },
    );
    expect(log.attempts.slice(0, 2)).toEqual([
      expect.objectContaining({ outcome: "RETRY", httpStatus: 500 }),
      expect.objectContaining({ outcome: "RETRY", httpStatus: 500 }),
    ]);
    expect(log.attempts.at(-1)).toMatchObject({ outcome: "DELIVERED", httpStatus: 200 });
  });

  it("a dead endpoint does not hold up live ones (other merchant or the same merchant)", async () => {
    const stuck = Array.from({ length: 8 }, () => issued(M2));
    const failedForM1 = {
      ...issued(M1),
      type: "INVOICE_FAILED" as const,
      payload: {
        errorCode: "X",
        reason: "r",
        attempts: 3,
        role: "ORIGINAL" as const,
        invoiceSeq: 1,
        transactionUuid: "0b3f6c1e-1d2a-5c3b-9e4f-1a2b3c4d5e6f",
      },
    };
    await publish([...stuck, failedForM1]);
    const fresh = Array.from({ length: 5 }, () => issued(M1));
    const started = Date.now();
    await publish(fresh);
    await waitFor(
      () => fresh.every((e) => live.received.some((r) => r.headers["x-event-id"] === e.eventId)),
      {
        timeoutMs: 20_000,
        description: "the live endpoint to get all five",
      },
    );
    // 4 slots in all, 2 per endpoint: were the dead endpoints to take more than their own, nothing would move.
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(15_000);
    await waitFor(() => dead.received.length >= 2, { description: "the dead endpoint to be tried" });
  });

  it("after a rotation, deliveries carry a v1 for the new and the old secret", async () => {
    const rotated = await api("POST", `/merchants/${M1}/webhooks/${liveId}/rotate-secret`);
    const newSecret = rotated.body.secret as string;
    const event = issued(M1);
    await publish([event]);
    const received = await waitFor(
      () => live.received.find((r) => r.headers["x-event-id"] === event.eventId),
      {
        description: "the delivery after the rotation",
      },
    );
    const header = String(received.headers["x-signature"]);
    expect(header.match(/v1=/g)).toHaveLength(2);
    for (const secret of [newSecret, liveSecret]) {
      expect(
        verifyWebhook({ secret, signatureHeader: header, rawBody: received.body, now: Date.now() }).ok,
      ).toBe(true);
    }
  });
});

describe("SSRF guard at connect time", () => {
  it("refuses a loopback target resolved by name, before any request reaches it", async () => {
    const target = await endpoint(() => 200);
    const agent = new Agent({ connect: { lookup: guardedLookup(false) as never } });
    const url = target.url.replace("127.0.0.1", "localhost");
    await expect(request(url, { method: "POST", body: "{}", dispatcher: agent })).rejects.toThrow(
      /non-public address/,
    );
    expect(target.received).toHaveLength(0);
    const allowed = new Agent({ connect: { lookup: guardedLookup(true) as never } });
    const ok = await request(url, { method: "POST", body: "{}", dispatcher: allowed });
    await ok.body.dump();
    expect(ok.statusCode).toBe(200);
    await Promise.all([agent.close(), allowed.close(), target.close()]);
  });
});

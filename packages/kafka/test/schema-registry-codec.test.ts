/** The Avro codec against the real Apicurio registry (Confluent-compatible API). */
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { type CompatibilityLevel, createAvroCodec, readSchemaId, SchemaCodecError } from "@invoice/kafka";
import { stackEnv, uniqueName } from "@invoice/testing";
import { describe, expect, it } from "vitest";

const url = stackEnv().schemaRegistryUrl;
const v1 = {
  type: "record",
  name: "Probe",
  namespace: "test.codec",
  fields: [
    { name: "orderId", type: "string" },
    { name: "amountVnd", type: "long" },
  ],
};
const v2 = { ...v1, fields: [...v1.fields, { name: "note", type: ["null", "string"], default: null }] };
const incompatible = { ...v1, fields: [...v1.fields, { name: "required", type: "string" }] };

async function compatibilityOf(subject: string): Promise<unknown> {
  const response = await fetch(`${url}/config/${encodeURIComponent(subject)}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { compatibilityLevel?: unknown }).compatibilityLevel;
}

/** Registers straight through the REST API, as a Java producer with auto-register does: no rule. */
async function registerWithoutRule(subject: string, schema: object): Promise<void> {
  const response = await fetch(`${url}/subjects/${encodeURIComponent(subject)}/versions`, {
    method: "POST",
    headers: { "content-type": "application/vnd.schemaregistry.v1+json" },
    body: JSON.stringify({ schema: JSON.stringify(schema) }),
  });
  expect(response.status).toBe(200);
}

/**
 * A proxy to the registry that forwards requests until the first new schema version reaches the
 * registry, then behaves like a process that died right after that request: the caller never gets
 * the answer, and nothing it sends afterwards arrives.
 */
async function registryDyingAfterFirstVersion(): Promise<{ url: string; close(): Promise<void> }> {
  const target = new URL(url);
  let dead = false;
  const server = createServer((req, res) => {
    if (dead) {
      res.socket?.destroy();
      return;
    }
    const isNewVersion = req.method === "POST" && /\/subjects\/[^/]+\/versions$/.test(req.url ?? "");
    const out = request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        if (isNewVersion) {
          dead = true;
          answer.resume();
          answer.once("end", () => res.socket?.destroy());
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.once("error", () => res.socket?.destroy());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}${target.pathname}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe("Avro codec against the registry", () => {
  const codec = createAvroCodec({ url });

  it("registers idempotently, encodes in the Confluent wire format and decodes", async () => {
    const subject = `${uniqueName("codec")}-value`;
    const id = await codec.register(subject, v1);
    expect(await codec.register(subject, v1)).toBe(id);
    const bytes = await codec.encode(id, { orderId: "ORD-1", amountVnd: 1_250_000 });
    expect(bytes[0]).toBe(0);
    expect(readSchemaId(bytes)).toBe(id);
    expect(await codec.decode(bytes)).toEqual({
      schemaId: id,
      value: { orderId: "ORD-1", amountVnd: 1_250_000 },
    });
  });

  it("decodes old data into a newer reader schema (BACKWARD evolution)", async () => {
    const subject = `${uniqueName("codec")}-value`;
    const id = await codec.register(subject, v1);
    const bytes = await codec.encode(id, { orderId: "ORD-2", amountVnd: 5 });
    const decoded = await codec.decode(bytes, v2);
    expect(decoded.value).toEqual({ orderId: "ORD-2", amountVnd: 5, note: null });
  });

  it("has the registry refuse an incompatible version under BACKWARD", async () => {
    const subject = `${uniqueName("codec")}-value`;
    await codec.register(subject, v1);
    await codec.setCompatibility(subject, "BACKWARD");
    await expect(codec.register(subject, v2)).resolves.toBeGreaterThan(0);
    await expect(codec.register(subject, incompatible)).rejects.toMatchObject({
      code: "SCHEMA_REJECTED",
      retriable: false,
    });
  });

  it("sets a subject's compatibility, idempotently, before its first version exists", async () => {
    const subject = `${uniqueName("codec")}-value`;
    await codec.setCompatibility(subject, "BACKWARD");
    await codec.setCompatibility(subject, "BACKWARD");
    expect(await compatibilityOf(subject)).toBe("BACKWARD");
    await codec.register(subject, v1);
    await expect(codec.register(subject, incompatible)).rejects.toMatchObject({ code: "SCHEMA_REJECTED" });
  });

  it("enforces nothing on a subject registered without a rule; setCompatibility turns BACKWARD on", async () => {
    const subject = `${uniqueName("codec")}-value`;
    await registerWithoutRule(subject, v1);
    expect(await compatibilityOf(subject)).toBe("NONE");
    // The client library refuses to register under a level other than the BACKWARD it expects.
    await expect(codec.register(subject, v1)).rejects.toMatchObject({ code: "SCHEMA_REJECTED" });
    await codec.setCompatibility(subject, "BACKWARD");
    expect(await compatibilityOf(subject)).toBe("BACKWARD");
    await expect(codec.register(subject, v1)).resolves.toBeGreaterThan(0);
    await expect(codec.register(subject, incompatible)).rejects.toMatchObject({
      code: "SCHEMA_REJECTED",
      retriable: false,
    });
  });

  it("a first registration cut off after its version reached the registry leaves the rule set", async () => {
    const subject = `${uniqueName("codec")}-value`;
    const dying = await registryDyingAfterFirstVersion();
    try {
      const cutOff = createAvroCodec({ url: dying.url, requestTimeoutMs: 2_000 });
      await expect(cutOff.register(subject, v1)).rejects.toBeInstanceOf(SchemaCodecError);
    } finally {
      await dying.close();
    }
    // The version is there; the next process (here: another codec) must still be able to register.
    expect(await compatibilityOf(subject)).toBe("BACKWARD");
    const id = await codec.register(subject, v1);
    expect(id).toBeGreaterThan(0);
    await expect(codec.register(subject, incompatible)).rejects.toMatchObject({ code: "SCHEMA_REJECTED" });
  });

  it("classifies a compatibility level the registry does not know as rejected", async () => {
    const subject = `${uniqueName("codec")}-value`;
    await expect(codec.setCompatibility(subject, "SIDEWAYS" as CompatibilityLevel)).rejects.toMatchObject({
      code: "SCHEMA_REJECTED",
      retriable: false,
    });
  });

  it("refuses to encode a value that does not match its schema", async () => {
    const id = await codec.register(`${uniqueName("codec")}-value`, v1);
    await expect(codec.encode(id, { orderId: 42 })).rejects.toMatchObject({
      code: "SCHEMA_VALIDATION_FAILED",
    });
  });

  it.each([
    ["empty", Buffer.alloc(0)],
    ["too short", Buffer.from([0, 0, 1])],
    ["wrong magic byte", Buffer.from([1, 0, 0, 0, 1, 2])],
    ["JSON instead of Avro", Buffer.from('{"orderId":"x"}')],
  ])("classifies a malformed record (%s) as non-retriable", async (_label, bytes) => {
    const error = await codec.decode(bytes).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaCodecError);
    expect(error).toMatchObject({ code: "SCHEMA_MALFORMED_RECORD", retriable: false });
  });

  it("classifies an unknown schema id", async () => {
    const bytes = Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0, 2, 0x41]);
    await expect(codec.decode(bytes)).rejects.toMatchObject({ code: "SCHEMA_UNKNOWN_ID", retriable: false });
  });

  it("classifies bytes that do not decode with the schema they name", async () => {
    const id = await codec.register(`${uniqueName("codec")}-value`, v1);
    const header = Buffer.alloc(5);
    header.writeInt32BE(id, 1);
    const truncated = Buffer.concat([header, Buffer.from([0x14])]);
    await expect(codec.decode(truncated)).rejects.toMatchObject({
      code: "SCHEMA_INVALID_PAYLOAD",
      retriable: false,
    });
  });

  it("classifies an unreachable registry as retriable", async () => {
    const down = createAvroCodec({ url: "http://127.0.0.1:9/apis/ccompat/v7" });
    const bytes = Buffer.from([0, 0, 0, 0, 1, 2]);
    await expect(down.decode(bytes)).rejects.toMatchObject({
      code: "SCHEMA_REGISTRY_UNAVAILABLE",
      retriable: true,
    });
    await expect(down.setCompatibility("any-value", "BACKWARD")).rejects.toMatchObject({
      code: "SCHEMA_REGISTRY_UNAVAILABLE",
      retriable: true,
    });
  });
});

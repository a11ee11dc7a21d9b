/**
 * Webhook endpoints and their delivery log (Webhook, WebhookDelivery, WebhookDeliveryAttempt): the
 * merchant API's queries (scoped by merchant in every WHERE clause) and the secret handling both the
 * API and the delivery worker use. Signing secrets are stored sealed (AES-256-GCM, key id) with the
 * AAD `webhook-secret:<merchantId>:<webhookId>`; a rotation keeps the previous secret, sealed the same
 * way, until previousSecretExpiresAt.
 */
import { randomBytes } from "node:crypto";
import { decryptToString, encrypt, type Keyring, type SealedSecret } from "@invoice/crypto";
import { Prisma, type PrismaClient } from "@invoice/db";
import type { IdGenerator } from "@invoice/ids";
import type { MerchantScope } from "../api/merchant-scope.ts";
import { afterCursor } from "../api/schemas.ts";

type WebhookDb = Pick<PrismaClient, "webhook" | "webhookDelivery">;

export const secretAad = (merchantId: string, webhookId: bigint) =>
  `webhook-secret:${merchantId}:${webhookId}`;

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString("base64url")}`;
}

function seal(secret: string, keyring: Keyring, merchantId: string, id: bigint) {
  const sealed = encrypt(secret, keyring, { aad: secretAad(merchantId, id) });
  return {
    ciphertext: Buffer.from(sealed.ciphertext, "base64"),
    iv: Buffer.from(sealed.iv, "base64"),
    tag: Buffer.from(sealed.tag, "base64"),
    keyId: sealed.keyId,
  };
}

function unseal(fields: {
  ciphertext: Uint8Array;
  iv: Uint8Array;
  tag: Uint8Array;
  keyId: string;
}): SealedSecret {
  return {
    ciphertext: Buffer.from(fields.ciphertext).toString("base64"),
    iv: Buffer.from(fields.iv).toString("base64"),
    tag: Buffer.from(fields.tag).toString("base64"),
    keyId: fields.keyId,
  };
}

const endpointSelect = {
  id: true,
  merchantId: true,
  url: true,
  eventTypes: true,
  enabled: true,
  description: true,
  secretRotatedAt: true,
  previousSecretExpiresAt: true,
  createdAt: true,
  updatedAt: true,
} as const;

export type EndpointRow = Prisma.WebhookGetPayload<{ select: typeof endpointSelect }>;

export class DuplicateEndpointError extends Error {
  readonly code = "WEBHOOK_URL_EXISTS";
}

export async function createEndpoint(
  db: WebhookDb,
  deps: { keyring: Keyring; ids: IdGenerator },
  input: { merchantId: string; url: string; eventTypes: string[]; description: string | null },
): Promise<{ endpoint: EndpointRow; secret: string }> {
  const id = deps.ids.next();
  const secret = newWebhookSecret();
  const sealed = seal(secret, deps.keyring, input.merchantId, id);
  try {
    const endpoint = await db.webhook.create({
      data: {
        id,
        merchantId: input.merchantId,
        url: input.url,
        eventTypes: input.eventTypes,
        description: input.description,
        secretCiphertext: sealed.ciphertext,
        secretIv: sealed.iv,
        secretTag: sealed.tag,
        secretKeyId: sealed.keyId,
      },
      select: endpointSelect,
    });
    return { endpoint, secret };
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw new DuplicateEndpointError("an active endpoint with this URL exists");
    }
    throw error;
  }
}

export function listEndpoints(db: WebhookDb, scope: MerchantScope) {
  return db.webhook.findMany({
    where: { merchantId: scope.merchantId, deletedAt: null },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: endpointSelect,
  });
}

export function findEndpoint(db: WebhookDb, scope: MerchantScope, id: bigint) {
  return db.webhook.findFirst({
    where: { id, merchantId: scope.merchantId, deletedAt: null },
    select: endpointSelect,
  });
}

export async function disableEndpoint(db: WebhookDb, scope: MerchantScope, id: bigint) {
  const { count } = await db.webhook.updateMany({
    where: { id, merchantId: scope.merchantId, deletedAt: null },
    data: { enabled: false },
  });
  return count === 0 ? null : findEndpoint(db, scope, id);
}

/** New secret; the current one signs alongside it until `graceUntil`. Null when no such endpoint. */
export async function rotateSecret(
  db: WebhookDb,
  keyring: Keyring,
  scope: MerchantScope,
  id: bigint,
  now: Date,
  graceUntil: Date,
): Promise<{ endpoint: EndpointRow; secret: string } | null> {
  const current = await db.webhook.findFirst({
    where: { id, merchantId: scope.merchantId, deletedAt: null },
    select: { secretCiphertext: true, secretIv: true, secretTag: true, secretKeyId: true },
  });
  if (!current) return null;
  const secret = newWebhookSecret();
  const sealed = seal(secret, keyring, scope.merchantId, id);
  const endpoint = await db.webhook.update({
    where: { id },
    data: {
      previousSecretCiphertext: current.secretCiphertext,
      previousSecretIv: current.secretIv,
      previousSecretTag: current.secretTag,
      previousSecretKeyId: current.secretKeyId,
      previousSecretExpiresAt: graceUntil,
      secretRotatedAt: now,
      secretCiphertext: sealed.ciphertext,
      secretIv: sealed.iv,
      secretTag: sealed.tag,
      secretKeyId: sealed.keyId,
    },
    select: endpointSelect,
  });
  return { endpoint, secret };
}

/** The secrets a delivery is signed with now: the current one, and the previous one during its grace. */
export async function signingSecrets(db: WebhookDb, keyring: Keyring, webhookId: bigint, now: Date) {
  const row = await db.webhook.findUnique({
    where: { id: webhookId },
    select: {
      merchantId: true,
      enabled: true,
      deletedAt: true,
      url: true,
      secretCiphertext: true,
      secretIv: true,
      secretTag: true,
      secretKeyId: true,
      previousSecretCiphertext: true,
      previousSecretIv: true,
      previousSecretTag: true,
      previousSecretKeyId: true,
      previousSecretExpiresAt: true,
    },
  });
  if (!row) return null;
  const aad = secretAad(row.merchantId, webhookId);
  const secrets = [
    decryptToString(
      unseal({
        ciphertext: row.secretCiphertext,
        iv: row.secretIv,
        tag: row.secretTag,
        keyId: row.secretKeyId,
      }),
      keyring,
      { aad },
    ),
  ];
  if (
    row.previousSecretCiphertext &&
    row.previousSecretIv &&
    row.previousSecretTag &&
    row.previousSecretKeyId &&
    row.previousSecretExpiresAt &&
    row.previousSecretExpiresAt > now
  ) {
    secrets.push(
      decryptToString(
        unseal({
          ciphertext: row.previousSecretCiphertext,
          iv: row.previousSecretIv,
          tag: row.previousSecretTag,
          keyId: row.previousSecretKeyId,
        }),
        keyring,
        { aad },
      ),
    );
  }
  return { url: row.url, active: row.enabled && row.deletedAt === null, secrets };
}

const deliverySelect = {
  id: true,
  eventId: true,
  eventType: true,
  orderId: true,
  status: true,
  attemptCount: true,
  nextAttemptAt: true,
  lastAttemptAt: true,
  lastHttpStatus: true,
  lastError: true,
  deliveredAt: true,
  createdAt: true,
  attempts: {
    orderBy: { attempt: "asc" },
    select: {
      attempt: true,
      startedAt: true,
      durationMs: true,
      httpStatus: true,
      outcome: true,
      error: true,
    },
  },
} as const;

/** The delivery log of one endpoint, newest first; `after` continues a page. */
export function listDeliveries(
  db: WebhookDb,
  scope: MerchantScope,
  webhookId: bigint,
  page: { limit: number; after?: { createdAt: Date; id: bigint } },
) {
  const { after } = page;
  return db.webhookDelivery.findMany({
    where: {
      merchantId: scope.merchantId,
      webhookId,
      ...afterCursor(after),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: page.limit,
    select: deliverySelect,
  });
}

export type DeliveryRow = Awaited<ReturnType<typeof listDeliveries>>[number];

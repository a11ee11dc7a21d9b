import { describe, expect, it } from "vitest";
import { foldName, isSecretName } from "./secret-names.ts";

describe("isSecretName", () => {
  it.each([
    "password",
    "Password",
    "PASSWORD",
    "dbPassword",
    "passwd",
    "pwd",
    "pass",
    "secret",
    "client_secret",
    "clientSecret",
    "WEBHOOK_SECRET",
    "WEBHOOK_INTERNAL_SECRET",
    "token",
    "access_token",
    "accessToken",
    "ACCESS-TOKEN",
    "refresh_token",
    "id_token",
    "claimToken",
    "x-auth-token",
    "authorization",
    "Authorization",
    "Proxy-Authorization",
    "auth",
    "cookie",
    "Cookie",
    "set-cookie",
    "Set-Cookie",
    "signature",
    "X-Signature",
    "x-webhook-signature",
    "X-Hub-Signature-256",
    "sig",
    "apiKey",
    "api_key",
    "X-API-Key",
    "privateKey",
    "private_key",
    "credentials",
    "providerCredentials",
    "APP_ENV_INVOICE_CREDENTIALS_KEY",
    "APP_ENV_INVOICE_CREDENTIALS_RETIRED_KEYS",
    "jwt",
    "otp",
  ])("%s is secret", (name) => {
    expect(isSecretName(name)).toBe(true);
  });

  it.each([
    "orderId",
    "key",
    "partitionKey",
    "idempotencyKey",
    "keyId",
    "credentialsKeyId",
    "credentialId",
    "tokenType",
    "claimTokenExpiresAt",
    "signatureValid",
    "authorId",
    "passengers",
    "url",
    "message",
  ])("%s is not", (name) => {
    expect(isSecretName(name)).toBe(false);
  });

  it("folds case and separators", () => {
    expect(foldName("X-Signature_256")).toBe("xsignature256");
  });
});

import type { NextFunction, Request, Response } from "express";
import { describe, expect, it } from "vitest";
import { authenticate, type Principal } from "./jwt-auth.ts";

const principal: Principal = { subject: "u1", merchantIds: ["M-1"], permissions: new Set() };
const TOKEN = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2ln";

async function run(authorization: string): Promise<{ token?: string; error?: unknown }> {
  const seen: { token?: string; error?: unknown } = {};
  const middleware = authenticate(async (token) => {
    seen.token = token;
    return principal;
  });
  await new Promise<void>((resolve) => {
    const next: NextFunction = (error?: unknown) => {
      if (error) seen.error = error;
      resolve();
    };
    void middleware({ headers: { authorization } } as Request, {} as Response, next);
  });
  return seen;
}

describe("authenticate", () => {
  it("reads the auth scheme case-insensitively (RFC 9110 11.1): bearer, BEARER", async () => {
    for (const scheme of ["Bearer", "bearer", "BEARER"]) {
      const seen = await run(`${scheme} ${TOKEN}`);
      expect({ scheme, token: seen.token, error: seen.error }).toEqual({
        scheme,
        token: TOKEN,
        error: undefined,
      });
    }
  });

  it("refuses another scheme or a token that is not three base64url parts", async () => {
    for (const header of [`Basic ${TOKEN}`, "Bearer abc", `Bearer ${TOKEN} extra`, `Bearer${TOKEN}`]) {
      const seen = await run(header);
      expect(seen.token).toBeUndefined();
      expect(seen.error).toMatchObject({ status: 401, code: "TOKEN_INVALID" });
    }
  });
});

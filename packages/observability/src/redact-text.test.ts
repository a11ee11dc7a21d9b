import { describe, expect, it } from "vitest";
import { redactText } from "./redact-text.ts";

describe("redactText", () => {
  it.each([
    ["postgresql://app:pw@db:5432/invoice", "postgresql://app:[REDACTED]@db:5432/invoice"],
    ["redis://:pw@cache:6379/0", "redis://:[REDACTED]@cache:6379/0"],
    ["amqp://u:p@ss@host/vhost", "amqp://u:[REDACTED]@host/vhost"],
    [
      "see https://u:p@a.example and https://v:q@b.example",
      "see https://u:[REDACTED]@a.example and https://v:[REDACTED]@b.example",
    ],
    [
      "postgresql://db/x?sslmode=require&password=pw",
      "postgresql://db/x?sslmode=require&password=[REDACTED]",
    ],
    ["/claims?token=abc&lang=vi", "/claims?token=[REDACTED]&lang=vi"],
    ["?access_token=abc#frag", "?access_token=[REDACTED]#frag"],
    ["host=db password='p w' dbname=x", "host=db password='[REDACTED]' dbname=x"],
    ['{"password":"x","user":"u"}', '{"password":"[REDACTED]","user":"u"}'],
    ['{ "client_secret" : "x" }', '{ "client_secret" : "[REDACTED]" }'],
    ["{ password: 'x', user: 'u' }", "{ password: '[REDACTED]', user: 'u' }"],
    ["Authorization: Bearer abc.def\r\nHost: x", "Authorization: [REDACTED]\r\nHost: x"],
    ["Set-Cookie: sid=1; HttpOnly", "Set-Cookie: [REDACTED]; HttpOnly"],
    ["using Bearer abcdefgh now", "using Bearer [REDACTED] now"],
    ["Authorization=Bearer abcdefgh&x=1", "Authorization=[REDACTED] [REDACTED]&x=1"],
    [
      "grant_type=password&password=pw&client_secret=cs",
      "grant_type=password&password=[REDACTED]&client_secret=[REDACTED]",
    ],
    ["jwt eyJhbGciOi.eyJzdWIi.c2ln end", "jwt [REDACTED] end"],
  ])("%s", (input, expected) => {
    expect(redactText(input)).toBe(expected);
  });

  it.each([
    "postgresql://postgres@127.0.0.1:5432/invoice",
    "https://registry.internal/apis/ccompat/v7",
    "2026-01-01T12:30:05.000Z",
    "partition=2 offset=41",
    "tokenType: bearer",
    "at handler (file:///app/src/issue-invoice.handler.ts:42:7)",
    "",
    "ok",
  ])("leaves %j as it is", (input) => {
    expect(redactText(input)).toBe(input);
  });
});

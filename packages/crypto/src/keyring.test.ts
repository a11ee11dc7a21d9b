import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { credentialsKeyId } from "./credentials-key.ts";
import { createKeyring, InvalidKeyringError } from "./keyring.ts";

describe("createKeyring", () => {
  it("holds the active and retired keys by id, active one named", () => {
    const active = randomBytes(32);
    const retired = randomBytes(32);
    const keyring = createKeyring(active, [retired]);
    expect(keyring.activeKeyId).toBe(credentialsKeyId(active));
    expect([...keyring.keys.keys()].sort()).toEqual(
      [credentialsKeyId(active), credentialsKeyId(retired)].sort(),
    );
    expect(keyring.keys.get(credentialsKeyId(retired))?.equals(retired)).toBe(true);
  });

  it("keeps its own copy of the key bytes", () => {
    const active = randomBytes(32);
    const original = Buffer.from(active);
    const keyring = createKeyring(active);
    active.fill(0);
    expect(keyring.keys.get(keyring.activeKeyId)?.equals(original)).toBe(true);
  });

  it("collapses a retired key that is the same as the active one", () => {
    const active = randomBytes(32);
    expect(createKeyring(active, [Buffer.from(active)]).keys.size).toBe(1);
  });

  it.each([
    ["short active key", randomBytes(16), []],
    ["long active key", randomBytes(33), []],
    ["empty active key", Buffer.alloc(0), []],
    ["short retired key", randomBytes(32), [randomBytes(31)]],
  ])("refuses a %s", (_name, active, retired) => {
    expect(() => createKeyring(active, retired)).toThrow(InvalidKeyringError);
  });
});

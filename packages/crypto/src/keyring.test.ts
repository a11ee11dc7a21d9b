import { randomBytes } from "node:crypto";
import { inspect } from "node:util";
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
    expect(keyring.keys.get(credentialsKeyId(retired))?.export().equals(retired)).toBe(true);
  });

  it("keeps its own copy of the key bytes", () => {
    const active = randomBytes(32);
    const original = Buffer.from(active);
    const keyring = createKeyring(active);
    active.fill(0);
    expect(keyring.keys.get(keyring.activeKeyId)?.export().equals(original)).toBe(true);
  });

  it("collapses a retired key that is the same as the active one", () => {
    const active = randomBytes(32);
    expect(createKeyring(active, [Buffer.from(active)]).keys.size).toBe(1);
  });

  it("cannot be changed at run time: frozen object, no map mutators, key bytes not reachable in place", () => {
    const active = randomBytes(32);
    const keyring = createKeyring(active);
    const keyId = keyring.activeKeyId;
    expect(Object.isFrozen(keyring)).toBe(true);
    expect(() => {
      (keyring as { activeKeyId: string }).activeKeyId = "attacker";
    }).toThrow(TypeError);
    expect(() => {
      (keyring as { keys: unknown }).keys = new Map();
    }).toThrow(TypeError);
    const map = keyring.keys as unknown as Record<string, unknown>;
    expect(map.set).toBeUndefined();
    expect(map.delete).toBeUndefined();
    expect(map.clear).toBeUndefined();
    expect(() => Map.prototype.set.call(keyring.keys, "x", null)).toThrow(TypeError);
    // export() hands out a copy: zeroing it leaves the keyring's key intact.
    keyring.keys.get(keyId)?.export().fill(0);
    expect(keyring.keys.get(keyId)?.export().equals(active)).toBe(true);
    expect(keyring.activeKeyId).toBe(keyId);
    expect([...keyring.keys.keys()]).toEqual([keyId]);
    // Nothing prints the key bytes.
    expect(JSON.stringify(keyring)).not.toContain(active.toString("hex"));
    expect(inspect(keyring, { depth: 10 })).not.toContain(active.toString("hex").slice(0, 8));
  });

  it.each([
    ["all-zero active key", Buffer.alloc(32), []],
    ["one repeated byte", Buffer.alloc(32, 0xab), []],
    ["a counting sequence", Buffer.from(Array.from({ length: 32 }, (_, i) => i)), []],
    ["a repeated 4-byte pattern", Buffer.from("deadbeef".repeat(8), "hex"), []],
    [
      "a 16-byte key typed twice",
      Buffer.concat([Buffer.alloc(16, 7).fill(3, 8), Buffer.alloc(16, 7).fill(3, 8)]),
      [],
    ],
    ["all-zero retired key", randomBytes(32), [Buffer.alloc(32)]],
    ["short active key", randomBytes(16), []],
    ["long active key", randomBytes(33), []],
    ["empty active key", Buffer.alloc(0), []],
    ["short retired key", randomBytes(32), [randomBytes(31)]],
  ])("refuses %s", (_name, active, retired) => {
    expect(() => createKeyring(active, retired)).toThrow(InvalidKeyringError);
  });
});

import { createSecretKey, type KeyObject } from "node:crypto";
import { PlatformError } from "@invoice/errors";
import { credentialsKeyId, isDegenerateKey } from "./credentials-key.ts";

const KEY_BYTES = 32;

/**
 * The keys that can decrypt stored credentials, by key id, and the one that encrypts new ones.
 * Rotation: add the new key as active and keep the old one as retired until every record has been
 * re-encrypted; records name their key id, so old and new records decrypt side by side.
 *
 * Immutable: the object and its map are frozen (no `set`, `delete` or `clear`), and the keys are Node
 * `KeyObject`s, whose bytes cannot be changed in place and which print as `{}` — so neither a bug nor
 * a dependency can swap, zero or log the keys of a running service.
 */
export interface Keyring {
  readonly activeKeyId: string;
  readonly keys: ReadonlyMap<string, KeyObject>;
}

export class InvalidKeyringError extends PlatformError {
  override readonly name = "InvalidKeyringError";
  declare readonly code: "INVALID_KEYRING";

  constructor(message: string, options: { cause?: unknown } = {}) {
    super("INVALID_KEYRING", message, { retriable: false, cause: options.cause });
  }
}

/** A read-only view of a private map: what `ReadonlyMap` promises at compile time, enforced at run time. */
class FrozenMap<K, V> implements ReadonlyMap<K, V> {
  readonly #map: Map<K, V>;

  constructor(entries: Iterable<readonly [K, V]>) {
    this.#map = new Map(entries);
    Object.freeze(this);
  }

  get size(): number {
    return this.#map.size;
  }
  get(key: K): V | undefined {
    return this.#map.get(key);
  }
  has(key: K): boolean {
    return this.#map.has(key);
  }
  forEach(callback: (value: V, key: K, map: ReadonlyMap<K, V>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.#map) callback.call(thisArg, value, key, this);
  }
  entries(): MapIterator<[K, V]> {
    return this.#map.entries();
  }
  keys(): MapIterator<K> {
    return this.#map.keys();
  }
  values(): MapIterator<V> {
    return this.#map.values();
  }
  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.#map.entries();
  }
}

/**
 * Builds a frozen keyring from an active key and optional retired (decrypt-only) keys, ids derived from
 * the keys. Refuses keys that are not 32 bytes or are degenerate (a repeated byte, a counting sequence,
 * a short repeated pattern): such a key arrives here only from code, never from a generator.
 */
export function createKeyring(active: Uint8Array, retired: readonly Uint8Array[] = []): Keyring {
  const entries: Array<[string, KeyObject]> = [];
  for (const [index, key] of [active, ...retired].entries()) {
    const which = index === 0 ? "active key" : `retired key #${index}`;
    if (key.length !== KEY_BYTES) {
      throw new InvalidKeyringError(`${which} must be ${KEY_BYTES} bytes, got ${key.length}`);
    }
    if (isDegenerateKey(key)) {
      throw new InvalidKeyringError(`${which} is a placeholder, not a random key (openssl rand -hex 32)`);
    }
    // createSecretKey copies the bytes: a caller zeroing or reusing its buffer changes nothing here.
    entries.push([credentialsKeyId(Buffer.from(key)), createSecretKey(Buffer.from(key))]);
  }
  return Object.freeze({ activeKeyId: credentialsKeyId(Buffer.from(active)), keys: new FrozenMap(entries) });
}

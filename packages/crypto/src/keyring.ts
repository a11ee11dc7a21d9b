import { credentialsKeyId } from "./credentials-key.ts";

const KEY_BYTES = 32;

/**
 * The keys that can decrypt stored credentials, by key id, and the one that encrypts new ones.
 * Rotation: add the new key as active and keep the old one as retired until every record has been
 * re-encrypted; records name their key id, so old and new records decrypt side by side.
 */
export interface Keyring {
  readonly activeKeyId: string;
  readonly keys: ReadonlyMap<string, Buffer>;
}

export class InvalidKeyringError extends Error {
  readonly code = "INVALID_KEYRING";
  readonly retriable = false;

  constructor(message: string) {
    super(message);
    this.name = "InvalidKeyringError";
  }
}

/** Builds a keyring from an active key and optional retired (decrypt-only) keys, ids derived from the keys. */
export function createKeyring(active: Buffer, retired: readonly Buffer[] = []): Keyring {
  const keys = new Map<string, Buffer>();
  for (const [index, key] of [active, ...retired].entries()) {
    if (key.length !== KEY_BYTES) {
      const which = index === 0 ? "active key" : `retired key #${index}`;
      throw new InvalidKeyringError(`${which} must be ${KEY_BYTES} bytes, got ${key.length}`);
    }
    // Copies, so a caller zeroing or reusing its buffer cannot change the keyring underneath us.
    keys.set(credentialsKeyId(key), Buffer.from(key));
  }
  return { activeKeyId: credentialsKeyId(active), keys };
}

export {
  type CipherOptions,
  DecryptionError,
  type DecryptionErrorCode,
  decrypt,
  decryptToString,
  encrypt,
  InvalidAadError,
  type SealedSecret,
} from "./aes-gcm.ts";
export { constantTimeEqual } from "./constant-time.ts";
export {
  CREDENTIALS_KEY_HEX_LENGTH,
  credentialsKeyId,
  InvalidCredentialsKeyError,
  type InvalidCredentialsKeyReason,
  isDegenerateKey,
  parseCredentialsKey,
} from "./credentials-key.ts";
export { createKeyring, InvalidKeyringError, type Keyring } from "./keyring.ts";
export {
  MalformedProviderCredentialError,
  openProviderCredential,
  type ProviderAccount,
  type ProviderCredentialColumns,
  providerCredentialAad,
  providerCredentialPlaintext,
  sealProviderCredential,
} from "./provider-credential.ts";
export {
  DEFAULT_WEBHOOK_TOLERANCE_SECONDS,
  type SignWebhookInput,
  signWebhook,
  type VerifyWebhookInput,
  verifyWebhook,
  WEBHOOK_SIGNATURE_HEADER,
  type WebhookRejection,
  type WebhookSecrets,
  type WebhookVerification,
  webhookSignature,
} from "./webhook-signature.ts";

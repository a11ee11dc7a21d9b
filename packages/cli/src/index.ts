export {
  DEV_AUDIENCE,
  DEV_ISSUER,
  DEV_JWKS_PORT,
  type DevKeys,
  loadOrCreateDevKeys,
} from "./dev/dev-keys.ts";
export { type DevTokenOptions, parseTtl, signDevToken } from "./dev/dev-token.ts";
export { createJwksServer } from "./dev/jwks-server.ts";

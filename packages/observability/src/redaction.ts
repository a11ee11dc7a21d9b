export { REDACTED, redactText } from "./redact-text.ts";
export { CIRCULAR, redactValue, TRUNCATED } from "./redact-value.ts";
export { foldName, isSecretName, SECRET_NAME_RULES } from "./secret-names.ts";

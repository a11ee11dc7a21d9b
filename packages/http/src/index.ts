export { type CreateHttpAppOptions, createHttpApp } from "./create-http-app.ts";
export { UNMATCHED_ROUTE } from "./http-metrics.ts";
export { HttpProblem, type HttpProblemOptions, type ProblemDetails, statusTitle } from "./http-problem.ts";
export { PROBLEM_CONTENT_TYPE, sendProblem } from "./problem-response.ts";
export type {
  CheckResult,
  OptionalReadinessCheck,
  ReadinessCheck,
  ReadinessEntry,
  ReadinessReport,
} from "./readiness.ts";
export { REQUEST_ID_HEADER, resolveRequestId } from "./request-context.ts";
export { type RunningHttpServer, type StartHttpServerOptions, startHttpServer } from "./start-http-server.ts";

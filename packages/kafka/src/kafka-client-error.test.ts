import { describe, expect, it } from "vitest";
import { classifyKafkaError, KafkaClientError } from "./kafka-client-error.ts";

function clientError(name: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name} happened`), { name, ...extra });
}

describe("classifyKafkaError", () => {
  it.each([
    [clientError("KafkaJSConnectionError"), "KAFKA_CONNECTION", true],
    [clientError("KafkaJSRequestTimeoutError"), "KAFKA_TIMEOUT", true],
    [clientError("KafkaJSProtocolError", { type: "NOT_LEADER_OR_FOLLOWER" }), "KAFKA_NOT_LEADER", true],
    [clientError("KafkaJSProtocolError", { type: "REBALANCE_IN_PROGRESS" }), "KAFKA_REBALANCING", true],
    [clientError("KafkaJSProtocolError", { type: "MESSAGE_TOO_LARGE" }), "KAFKA_RECORD_TOO_LARGE", false],
    [
      clientError("KafkaJSProtocolError", { type: "TOPIC_AUTHORIZATION_FAILED" }),
      "KAFKA_AUTHORIZATION",
      false,
    ],
    [new TypeError("boom"), "KAFKA_UNKNOWN", false],
    ["a string", "KAFKA_UNKNOWN", false],
  ])("classifies %s", (input, code, retriable) => {
    const classified = classifyKafkaError(input);
    expect(classified).toBeInstanceOf(KafkaClientError);
    expect(classified.code).toBe(code);
    expect(classified.retriable).toBe(retriable);
  });

  it("looks through a retries-exceeded wrapper to the protocol error that caused it", () => {
    const cause = clientError("KafkaJSProtocolError", { type: "RECORD_LIST_TOO_LARGE" });
    const wrapper = clientError("KafkaJSNumberOfRetriesExceeded", { originalError: cause });
    const classified = classifyKafkaError(wrapper);
    expect(classified.code).toBe("KAFKA_RECORD_TOO_LARGE");
    expect(classified.retriable).toBe(false);
    expect(classified.cause).toBe(wrapper);
  });

  it("treats retries exceeded without a known cause as a retriable connection problem", () => {
    expect(classifyKafkaError(clientError("KafkaJSNumberOfRetriesExceeded")).retriable).toBe(true);
  });

  it("returns a classified error found in the cause chain (a handler's error wrapped by kafkajs)", () => {
    const handlerError = new KafkaClientError("send failed", "KAFKA_TIMEOUT", true);
    const wrapper = clientError("KafkaJSNumberOfRetriesExceeded", { cause: handlerError });
    expect(classifyKafkaError(wrapper)).toBe(handlerError);
    const permanent = new KafkaClientError("too large", "KAFKA_RECORD_TOO_LARGE", false);
    expect(classifyKafkaError(clientError("KafkaJSNonRetriableError", { cause: permanent }))).toBe(permanent);
  });

  it("returns an already classified error unchanged", () => {
    const error = new KafkaClientError("x", "KAFKA_TIMEOUT", true);
    expect(classifyKafkaError(error)).toBe(error);
  });

  it("keeps kafkajs' non-retriable verdict over a retriable error it wraps", () => {
    const inner = new KafkaClientError("broker gone", "KAFKA_CONNECTION", true);
    const wrapper = clientError("KafkaJSNonRetriableError", { cause: inner });
    const classified = classifyKafkaError(wrapper);
    expect(classified.code).toBe("KAFKA_CONNECTION");
    expect(classified.retriable).toBe(false);
  });
});

import { describe, expect, it } from "vitest";
import { classifyKafkaError, KafkaClientError } from "./kafka-errors.ts";

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
    [
      clientError("KafkaJSProtocolError", { type: "OUT_OF_ORDER_SEQUENCE_NUMBER" }),
      "KAFKA_PRODUCER_STATE",
      true,
    ],
    [clientError("KafkaJSProtocolError", { type: "UNKNOWN_PRODUCER_ID" }), "KAFKA_PRODUCER_STATE", true],
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

  it("goes by what kafkajs' non-retriable wrapper holds: a broker that went away stays retriable", () => {
    // The shape a send gets when the broker dies after connect (nested retriers, the inner one
    // exhausted): NonRetriable with the connection error as its cause.
    const refused = clientError("KafkaJSConnectionError", { code: "ECONNREFUSED" });
    const classified = classifyKafkaError(clientError("KafkaJSNonRetriableError", { cause: refused }));
    expect(classified.code).toBe("KAFKA_CONNECTION");
    expect(classified.retriable).toBe(true);
    const inner = new KafkaClientError("broker gone", "KAFKA_CONNECTION", true);
    expect(classifyKafkaError(clientError("KafkaJSNonRetriableError", { cause: inner })).retriable).toBe(
      true,
    );
  });

  it("keeps kafkajs' non-retriable verdict when nothing under it is classified", () => {
    const classified = classifyKafkaError(clientError("KafkaJSNonRetriableError", { cause: new Error("?") }));
    expect(classified.code).toBe("KAFKA_UNKNOWN");
    expect(classified.retriable).toBe(false);
  });
});

describe("classifyKafkaError over a whole cause chain", () => {
  it("a connection error wrapping an authorisation failure is not retriable, and says authorisation", () => {
    const auth = clientError("KafkaJSProtocolError", { type: "TOPIC_AUTHORIZATION_FAILED" });
    const connection = clientError("KafkaJSConnectionError", { cause: auth });
    const classified = classifyKafkaError(connection);
    expect(classified.code).toBe("KAFKA_AUTHORIZATION");
    expect(classified.retriable).toBe(false);
  });

  it("an authorisation failure wrapping a connection error is not retriable either", () => {
    const connection = clientError("KafkaJSConnectionError");
    const auth = clientError("KafkaJSProtocolError", {
      type: "GROUP_AUTHORIZATION_FAILED",
      cause: connection,
    });
    expect(classifyKafkaError(auth).retriable).toBe(false);
  });

  it("a retriable wrapper over a retriable cause stays retriable with the inner code", () => {
    const timeout = clientError("KafkaJSRequestTimeoutError");
    const connection = clientError("KafkaJSConnectionError", { originalError: timeout });
    const classified = classifyKafkaError(connection);
    expect(classified.code).toBe("KAFKA_TIMEOUT");
    expect(classified.retriable).toBe(true);
  });
});

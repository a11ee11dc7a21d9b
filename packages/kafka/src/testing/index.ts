/**
 * Broker fixtures for integration tests of any package or service (`@invoice/kafka/testing`): a
 * client per test file, unique topics and groups removed afterwards, a collecting consumer and
 * "until lag is 0" waits. Only for tests: it imports vitest's hooks.
 */
export {
  type BrokerFixture,
  collectingConsumer,
  committedToEnd,
  testClient,
  untilCommittedToEnd,
  useBroker,
} from "./broker-fixture.ts";

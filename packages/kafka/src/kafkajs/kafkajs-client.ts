import { Kafka, type LogEntry, logLevel } from "kafkajs";
import type { Logger } from "../logger.ts";
import type { ConsumerOptions, KafkaClient, ProducerOptions } from "../ports.ts";
import { KafkaJsAdmin } from "./kafkajs-admin.ts";
import { KafkaJsConsumer } from "./kafkajs-consumer.ts";
import { KafkaJsProducer } from "./kafkajs-producer.ts";

export interface KafkaJsClientOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
  /** Connection attempt timeout; kafkajs' default of 1 s is too tight on a loaded 2-core box. */
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}

export function createKafkaJsClient(options: KafkaJsClientOptions): KafkaClient {
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: options.connectionTimeoutMs ?? 5_000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    logLevel: logLevel.INFO,
    logCreator: () => (entry: LogEntry) => forwardLog(options.logger, entry),
  });
  return {
    producer: (producerOptions: ProducerOptions = {}) => new KafkaJsProducer(kafka, producerOptions),
    consumer: (consumerOptions: ConsumerOptions) =>
      new KafkaJsConsumer(
        kafka.consumer({
          groupId: consumerOptions.groupId,
          sessionTimeout: consumerOptions.sessionTimeoutMs ?? 30_000,
          heartbeatInterval: consumerOptions.heartbeatIntervalMs ?? 3_000,
          rebalanceTimeout: consumerOptions.rebalanceTimeoutMs ?? 60_000,
          maxBytesPerPartition: consumerOptions.maxBytesPerPartition ?? 1_048_576,
          maxWaitTimeInMs: consumerOptions.maxWaitTimeMs ?? 1_000,
          allowAutoTopicCreation: false,
          retry: { retries: consumerOptions.retries ?? 5 },
        }),
        consumerOptions.groupId,
        options.logger,
        () => kafka.admin(),
      ),
    admin: () => new KafkaJsAdmin(kafka.admin()),
  };
}

function forwardLog(logger: Logger, entry: LogEntry): void {
  const { message, ...fields } = entry.log;
  const record = { kafka: { namespace: entry.namespace, ...fields } };
  const text = `[kafka] ${message}`;
  switch (entry.level) {
    case logLevel.ERROR:
      logger.error(record, text);
      break;
    case logLevel.WARN:
      logger.warn(record, text);
      break;
    case logLevel.INFO:
      logger.info(record, text);
      break;
    default:
      logger.debug(record, text);
  }
}

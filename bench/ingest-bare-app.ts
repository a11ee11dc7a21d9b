// The ceiling for `pnpm bench ingest`: an express app that only parses the JSON body and sends one
// record per request with the same Kafka client ingest uses (@invoice/kafka's kafkajs adapter,
// idempotent, acks=all) — no signature, no validation, no replay cache, no batching.
//   node --import tsx bench/ingest-bare-app.ts <brokers> <topic> <hex value>
import { createKafkaJsClient, silentLogger } from "@invoice/kafka";
import express from "express";

const [brokers = "127.0.0.1:9092", topic = "invoice.issuance", valueHex = ""] = process.argv.slice(2);
const value = Buffer.from(valueHex, "hex");
const producer = createKafkaJsClient({
  brokers: brokers.split(","),
  clientId: "bench-bare",
  logger: silentLogger,
}).producer();
await producer.connect();
const app = express();
app.use(express.json({ limit: 1_048_576 }));
app.post("/v1/api/webhooks/merchant", async (req, res) => {
  try {
    await producer.send(topic, [{ key: String(req.body.orderId), value }]);
    res.status(202).json({ status: "accepted" });
  } catch {
    res.status(503).end();
  }
});
const server = app.listen(0, "127.0.0.1", () => {
  const address = server.address();
  console.log(JSON.stringify({ port: typeof address === "object" && address ? address.port : 0 }));
});
process.once("SIGTERM", () => {
  server.close();
  void producer.disconnect().finally(() => process.exit(0));
});

import type { Admin as KafkaJsAdminClient } from "kafkajs";
import { classifyKafkaError } from "../kafka-client-error.ts";
import type { Admin, PartitionOffsets, TopicDescription, TopicSpec } from "../ports.ts";

export class KafkaJsAdmin implements Admin {
  private connected = false;

  constructor(private readonly admin: KafkaJsAdminClient) {}

  async connect(): Promise<void> {
    if (this.connected) return;
    try {
      await this.admin.connect();
      this.connected = true;
    } catch (error) {
      throw classifyKafkaError(error);
    }
  }

  async ensureTopics(specs: TopicSpec[]): Promise<string[]> {
    try {
      const existing = new Set(await this.admin.listTopics());
      const missing = specs.filter((s) => !existing.has(s.topic));
      if (missing.length === 0) return [];
      await this.admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((s) => ({
          topic: s.topic,
          numPartitions: s.partitions,
          replicationFactor: s.replicationFactor ?? 1,
          configEntries: Object.entries(s.config ?? {}).map(([name, value]) => ({ name, value })),
        })),
      });
      return missing.map((s) => s.topic);
    } catch (error) {
      // Another instance creating the same topic concurrently is success for us.
      if ((error as { type?: string }).type === "TOPIC_ALREADY_EXISTS") return [];
      throw classifyKafkaError(error);
    }
  }

  async describeTopics(topics: string[]): Promise<TopicDescription[]> {
    try {
      const metadata = await this.admin.fetchTopicMetadata({ topics });
      return metadata.topics.map((t) => ({ topic: t.name, partitions: t.partitions.length }));
    } catch (error) {
      throw classifyKafkaError(error);
    }
  }

  async deleteTopics(topics: string[]): Promise<void> {
    if (topics.length === 0) return;
    try {
      await this.admin.deleteTopics({ topics });
    } catch (error) {
      throw classifyKafkaError(error);
    }
  }

  async topicOffsets(topic: string): Promise<PartitionOffsets[]> {
    try {
      const offsets = await this.admin.fetchTopicOffsets(topic);
      return offsets
        .map((o) => ({ partition: o.partition, low: o.low, high: o.high }))
        .sort((a, b) => a.partition - b.partition);
    } catch (error) {
      throw classifyKafkaError(error);
    }
  }

  async groupOffsets(groupId: string, topic: string): Promise<Array<{ partition: number; offset: string }>> {
    try {
      const result = await this.admin.fetchOffsets({ groupId, topics: [topic] });
      const partitions = result.find((r) => r.topic === topic)?.partitions ?? [];
      return partitions
        .map((p) => ({ partition: p.partition, offset: p.offset }))
        .sort((a, b) => a.partition - b.partition);
    } catch (error) {
      throw classifyKafkaError(error);
    }
  }

  async listGroups(): Promise<string[]> {
    try {
      const { groups } = await this.admin.listGroups();
      return groups.map((g) => g.groupId).sort();
    } catch (error) {
      throw classifyKafkaError(error);
    }
  }

  async groupCommittedOffsets(
    groupId: string,
  ): Promise<Array<{ topic: string; partition: number; offset: string }>> {
    try {
      // Without topics the broker answers only the partitions the group committed; asked again for
      // those topics it lists every partition, "-1" where the group never committed (an empty
      // partition is never committed, and its lag must still be reported).
      const committedTopics = [...new Set((await this.admin.fetchOffsets({ groupId })).map((t) => t.topic))];
      if (committedTopics.length === 0) return [];
      const result = await this.admin.fetchOffsets({ groupId, topics: committedTopics });
      return result
        .flatMap((t) =>
          t.partitions.map((p) => ({ topic: t.topic, partition: p.partition, offset: p.offset })),
        )
        .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
    } catch (error) {
      throw classifyKafkaError(error);
    }
  }

  async deleteGroups(groupIds: string[]): Promise<void> {
    if (groupIds.length === 0) return;
    try {
      await this.admin.deleteGroups(groupIds);
    } catch (error) {
      // kafkajs wraps its KafkaJSDeleteGroupsError (which lists the groups) in a non-retriable error.
      type Failed = { groups?: Array<{ error?: { type?: string } }> };
      const failed =
        (error as Failed & { cause?: Failed }).groups ?? (error as { cause?: Failed }).cause?.groups;
      // GROUP_ID_NOT_FOUND: nothing to delete (the group never committed, or is gone already).
      if (failed && failed.length > 0 && failed.every((g) => g.error?.type === "GROUP_ID_NOT_FOUND")) return;
      throw classifyKafkaError(error);
    }
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    await this.admin.disconnect();
  }
}

import TinyQueue from "tinyqueue";

/** A record waiting for (or holding) its key. `T` is whatever the caller attaches. */
export interface ScheduledEntry<T> {
  readonly seq: number;
  readonly partitionId: string;
  readonly lane: string;
  /** Epoch ms before which the entry is not handed over (0: at once). */
  readonly dueAt: number;
  readonly item: T;
  /** queued: waiting; active: holds its key; released: key given back; dropped: partition revoked. */
  state: "queued" | "active" | "released" | "dropped";
  /** False while `dueAt` lies in the future. */
  due: boolean;
}

interface Lane<T> {
  active: ScheduledEntry<T> | undefined;
  /** Not-yet-started entries of this key, per partition, in offset (arrival) order. */
  queues: Map<string, ScheduledEntry<T>[]>;
  ready: boolean;
}

/**
 * The per-key scheduler, pure (time is passed in). Rules:
 * - at most one entry per lane (key) is active at a time, whatever topic or partition it came from;
 * - within one partition, the entries of a lane start strictly in arrival (offset) order, so an entry
 *   not yet due holds back the later entries of its own key in its own partition, and nothing else;
 * - across partitions, a lane starts whichever due head arrived first;
 * - entries of different lanes are independent: a not-yet-due entry never blocks another key.
 * Lanes become ready in FIFO order; `take` hands out at most one entry per lane.
 */
export class KeyScheduler<T> {
  private seq = 0;
  private readonly lanes = new Map<string, Lane<T>>();
  private readonly lanesOfPartition = new Map<string, Set<string>>();
  private readonly dueHeap = new TinyQueue<ScheduledEntry<T>>([], (a, b) => a.dueAt - b.dueAt);
  private readyLanes: string[] = [];
  private readyHead = 0;
  private queuedCount = 0;
  private heldCount = 0;
  private activeCount = 0;

  add(item: T, where: { partitionId: string; lane: string; dueAt: number }, now: number): ScheduledEntry<T> {
    const due = where.dueAt <= now;
    const entry: ScheduledEntry<T> = { seq: this.seq++, ...where, item, state: "queued", due };
    let lane = this.lanes.get(where.lane);
    if (!lane) {
      lane = { active: undefined, queues: new Map(), ready: false };
      this.lanes.set(where.lane, lane);
    }
    let queue = lane.queues.get(where.partitionId);
    if (!queue) {
      queue = [];
      lane.queues.set(where.partitionId, queue);
      let lanes = this.lanesOfPartition.get(where.partitionId);
      if (!lanes) {
        lanes = new Set();
        this.lanesOfPartition.set(where.partitionId, lanes);
      }
      lanes.add(where.lane);
    }
    queue.push(entry);
    this.queuedCount += 1;
    if (!due) {
      this.heldCount += 1;
      this.dueHeap.push(entry);
    }
    this.markReady(where.lane, lane);
    return entry;
  }

  /** Marks entries whose due time has come as due. */
  advance(now: number): void {
    for (let top = this.dueHeap.peek(); top !== undefined && top.dueAt <= now; top = this.dueHeap.peek()) {
      this.dueHeap.pop();
      if (top.state !== "queued" || top.due) continue;
      top.due = true;
      this.heldCount -= 1;
      const lane = this.lanes.get(top.lane);
      if (lane) this.markReady(top.lane, lane);
    }
  }

  /** Earliest due time of an entry still held, for the caller's timer. */
  nextDueAt(): number | undefined {
    for (let top = this.dueHeap.peek(); top !== undefined; top = this.dueHeap.peek()) {
      if (top.state === "queued" && !top.due) return top.dueAt;
      this.dueHeap.pop();
    }
    return undefined;
  }

  /** Hands out up to `max` entries, at most one per lane; each now holds its key. */
  take(max: number): ScheduledEntry<T>[] {
    const taken: ScheduledEntry<T>[] = [];
    while (taken.length < max && this.readyHead < this.readyLanes.length) {
      const name = this.readyLanes[this.readyHead++] as string;
      const lane = this.lanes.get(name);
      if (!lane) continue;
      lane.ready = false;
      const entry = lane.active ? undefined : candidate(lane);
      if (!entry) continue;
      const queue = lane.queues.get(entry.partitionId);
      queue?.shift();
      if (queue?.length === 0) this.dropQueue(name, lane, entry.partitionId);
      entry.state = "active";
      lane.active = entry;
      this.queuedCount -= 1;
      this.activeCount += 1;
      taken.push(entry);
    }
    if (this.readyHead > 1024 && this.readyHead * 2 > this.readyLanes.length) {
      this.readyLanes = this.readyLanes.slice(this.readyHead);
      this.readyHead = 0;
    }
    return taken;
  }

  /** The entry gives its key back (finished, or pending with the key released). Idempotent. */
  release(entry: ScheduledEntry<T>): void {
    if (entry.state !== "active") return;
    entry.state = "released";
    this.activeCount -= 1;
    const lane = this.lanes.get(entry.lane);
    if (!lane || lane.active !== entry) return;
    lane.active = undefined;
    if (lane.queues.size === 0) this.lanes.delete(entry.lane);
    else this.markReady(entry.lane, lane);
  }

  /** Removes the not-yet-started entries of a partition (revoked); active ones keep their key. */
  dropPartition(partitionId: string): ScheduledEntry<T>[] {
    const dropped: ScheduledEntry<T>[] = [];
    for (const name of this.lanesOfPartition.get(partitionId) ?? []) {
      const lane = this.lanes.get(name);
      const queue = lane?.queues.get(partitionId);
      if (!lane || !queue) continue;
      for (const entry of queue) {
        entry.state = "dropped";
        this.queuedCount -= 1;
        if (!entry.due) this.heldCount -= 1;
        dropped.push(entry);
      }
      this.dropQueue(name, lane, partitionId);
      if (lane.queues.size === 0 && !lane.active) this.lanes.delete(name);
    }
    this.lanesOfPartition.delete(partitionId);
    return dropped;
  }

  /** Lanes waiting to be taken (may overcount lanes whose entries were dropped meanwhile). */
  readyCount(): number {
    return this.readyLanes.length - this.readyHead;
  }

  counts(): { queued: number; held: number; active: number } {
    return { queued: this.queuedCount, held: this.heldCount, active: this.activeCount };
  }

  private markReady(name: string, lane: Lane<T>): void {
    if (lane.ready || lane.active || !candidate(lane)) return;
    lane.ready = true;
    this.readyLanes.push(name);
  }

  private dropQueue(name: string, lane: Lane<T>, partitionId: string): void {
    lane.queues.delete(partitionId);
    this.lanesOfPartition.get(partitionId)?.delete(name);
  }
}

/** The due partition head that arrived first: the next entry this lane may start. */
function candidate<T>(lane: Lane<T>): ScheduledEntry<T> | undefined {
  let best: ScheduledEntry<T> | undefined;
  for (const queue of lane.queues.values()) {
    const head = queue[0];
    if (head?.due && (best === undefined || head.seq < best.seq)) best = head;
  }
  return best;
}

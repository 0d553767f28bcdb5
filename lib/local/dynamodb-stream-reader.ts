import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type ShardIteratorType,
} from '@aws-sdk/client-dynamodb-streams';
import type { StreamBatchResponse } from '../handlers/publisher-handler.js';
import type { StreamRecord } from '../handlers/stream-changes.js';

/** What an event source mapping calls with a batch of the stream: the publisher handler. */
export type StreamBatchHandler = (event: { Records: StreamRecord[] }) => Promise<StreamBatchResponse>;

export interface StreamReaderOptions {
  client: DynamoDBStreamsClient;
  streamArn: string;
  /** What the event source mapping calls on AWS: the publisher handler. */
  handle: StreamBatchHandler;
  onError: (error: unknown) => void;
  /** Where the last record handled of each shard is kept, so a restart neither loses nor repeats a transition. Default: nowhere (read from the oldest record kept). */
  checkpointFile?: string;
  /** Pause between polls of a stream that had nothing new. Default: 25 ms. */
  pollIntervalMs?: number;
  /** First pause after a batch was refused, doubling to 5 s. Default: 100 ms. */
  retryDelayMs?: number;
}

interface Shard {
  id: string;
  iterator?: string;
  /** The last sequence number handled, for a fresh iterator after a refusal or a restart. */
  handled?: string;
  closed: boolean;
}

const BATCH_SIZE = 100;
const MAX_RETRY_DELAY_MS = 5_000;

/**
 * Local mode's event source mapping: reads DynamoDB Local's stream of the table, in order,
 * shard by shard, and gives each batch to the publisher handler exactly as Lambda would. A
 * batch with failures is read again from the first failed record after a pause that grows
 * while the bus keeps refusing: delivery is at least once, in order, and nothing is skipped.
 */
export class DynamoDbStreamReader {
  private readonly shards = new Map<string, Shard>();
  private readonly pollIntervalMs: number;
  private readonly retryDelayMs: number;
  private running: Promise<void> | undefined;
  private stopping = false;
  private caughtUp: (() => void)[] = [];

  constructor(private readonly options: StreamReaderOptions) {
    this.pollIntervalMs = options.pollIntervalMs ?? 25;
    this.retryDelayMs = options.retryDelayMs ?? 100;
  }

  async start(): Promise<void> {
    const handled = this.readCheckpoint();
    await this.discoverShards(handled);
    this.running = this.loop();
  }

  /** Resolves once every record written before the call has been handled: while the bus refuses, it waits. */
  async idle(): Promise<void> {
    await new Promise<void>((resolve) => this.caughtUp.push(resolve));
    await new Promise<void>((resolve) => this.caughtUp.push(resolve));
  }

  /** Handles what is in the stream now, then stops. */
  async stop(): Promise<void> {
    if (!this.running) return;
    await Promise.race([this.idle(), new Promise((resolve) => setTimeout(resolve, 2_000))]);
    this.stopping = true;
    for (const resolve of this.caughtUp.splice(0)) resolve();
    await this.running;
  }

  private async loop(): Promise<void> {
    let delay = this.retryDelayMs;
    while (!this.stopping) {
      let read = 0;
      let refused = false;
      try {
        let closed = false;
        for (const shard of this.shards.values()) {
          if (shard.closed) continue;
          const outcome = await this.poll(shard);
          read += outcome.read;
          refused ||= outcome.refused;
          closed ||= shard.closed;
        }
        // A shard closes when the stream splits it: its children are read from their start.
        if (closed) await this.discoverShards();
      } catch (error) {
        this.options.onError(error);
        refused = true;
      }
      if (refused) {
        await this.pause(delay);
        delay = Math.min(delay * 2, MAX_RETRY_DELAY_MS);
        continue;
      }
      delay = this.retryDelayMs;
      if (read === 0) {
        for (const resolve of this.caughtUp.splice(0, 1)) resolve();
        await this.pause(this.pollIntervalMs);
      }
    }
  }

  private async poll(shard: Shard): Promise<{ read: number; refused: boolean }> {
    shard.iterator ??= await this.iterator(
      shard.id,
      shard.handled ? { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: shard.handled } : { type: 'TRIM_HORIZON' },
    );
    const out = await this.options.client.send(
      new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: BATCH_SIZE }),
    );
    const records = (out.Records ?? []) as StreamRecord[];
    if (records.length > 0) {
      const { batchItemFailures } = await this.options.handle({ Records: records });
      const failed = batchItemFailures[0]?.itemIdentifier;
      if (failed !== undefined) {
        // As Lambda does: everything before the first failure is done; read again from it.
        const index = records.findIndex((record) => record.dynamodb?.SequenceNumber === failed);
        const before = index > 0 ? records[index - 1]!.dynamodb?.SequenceNumber : undefined;
        if (before) this.checkpoint(shard, before);
        shard.iterator = await this.iterator(shard.id, { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: failed });
        return { read: records.length, refused: true };
      }
      this.checkpoint(shard, records.at(-1)!.dynamodb!.SequenceNumber!);
    }
    shard.iterator = out.NextShardIterator;
    if (shard.iterator === undefined) shard.closed = true;
    return { read: records.length, refused: false };
  }

  private async iterator(
    shardId: string,
    position: { type: ShardIteratorType; sequenceNumber?: string },
  ): Promise<string | undefined> {
    const out = await this.options.client.send(
      new GetShardIteratorCommand({
        StreamArn: this.options.streamArn,
        ShardId: shardId,
        ShardIteratorType: position.type,
        ...(position.sequenceNumber && { SequenceNumber: position.sequenceNumber }),
      }),
    );
    return out.ShardIterator;
  }

  /** Every shard of the stream; a new one (a shard split, or the first start) is read from its oldest record. */
  private async discoverShards(handled: Record<string, string> = {}): Promise<void> {
    let exclusiveStartShardId: string | undefined;
    do {
      const out = await this.options.client.send(
        new DescribeStreamCommand({
          StreamArn: this.options.streamArn,
          ...(exclusiveStartShardId && { ExclusiveStartShardId: exclusiveStartShardId }),
        }),
      );
      for (const { ShardId } of out.StreamDescription?.Shards ?? []) {
        if (!ShardId || this.shards.has(ShardId)) continue;
        this.shards.set(ShardId, {
          id: ShardId,
          closed: false,
          ...(handled[ShardId] && { handled: handled[ShardId] }),
        });
      }
      exclusiveStartShardId = out.StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
  }

  private checkpoint(shard: Shard, sequenceNumber: string): void {
    shard.handled = sequenceNumber;
    const file = this.options.checkpointFile;
    if (!file) return;
    const handled = Object.fromEntries(
      [...this.shards.values()].filter((s) => s.handled).map((s) => [s.id, s.handled]),
    );
    writeFileSync(file, `${JSON.stringify({ streamArn: this.options.streamArn, handled })}\n`);
  }

  private readCheckpoint(): Record<string, string> {
    const file = this.options.checkpointFile;
    if (!file || !existsSync(file)) return {};
    try {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as { streamArn?: string; handled?: Record<string, string> };
      // A checkpoint of another stream (the table was made again) says nothing about this one.
      return saved.streamArn === this.options.streamArn ? (saved.handled ?? {}) : {};
    } catch {
      return {};
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }
}

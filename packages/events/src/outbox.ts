import { domainOf, parseEnvelope } from './envelope.js';
import { defaultEventLog, errorMessage, type EventLog } from './log.js';
import { topicOf, type EventBus, type EventEnvelope } from './types.js';

/** What writeEvents needs: any Prisma client or interactive-transaction client has it. */
export interface SqlExecutor {
  $executeRawUnsafe(sql: string, ...values: unknown[]): Promise<number>;
}

export interface SqlClient extends SqlExecutor {
  $queryRawUnsafe<T = unknown>(sql: string, ...values: unknown[]): Promise<T>;
}

/** A Prisma client, seen structurally: interactive transactions whose client can run raw SQL. */
export interface TransactionRunner<TTx> {
  $transaction<R>(fn: (tx: TTx) => Promise<R>, options?: { maxWait?: number; timeout?: number }): Promise<R>;
}

export type OutboxStore = SqlClient & TransactionRunner<SqlClient>;

/**
 * Writes events to the subgraph's outbox (`outbox_events`) with the caller's transaction client,
 * so they commit or roll back with the change they describe. Topic: `flowforge.<domain>` from
 * the envelope's source; key: its subject. After the commit, wake the relay (`relay.notify()`).
 */
export async function writeEvents(tx: SqlExecutor, events: readonly EventEnvelope[]): Promise<void> {
  if (events.length === 0) return;
  const values: unknown[] = [];
  const rows = events.map((event) => {
    values.push(event.id, topicOf(domainOf(event)), event.subject, JSON.stringify(event));
    const n = values.length;
    return `($${n - 3}::uuid, $${n - 2}, $${n - 1}, $${n}::jsonb)`;
  });
  await tx.$executeRawUnsafe(`insert into outbox_events (id, topic, key, envelope) values ${rows.join(', ')}`, ...values);
}

export interface OutboxRelayOptions {
  /** The subgraph's Prisma client. */
  db: OutboxStore;
  bus: EventBus;
  /** For logs, e.g. the subgraph name. */
  name?: string;
  /**
   * Postgres (several instances may share the database): claim rows in a transaction with
   * FOR UPDATE SKIP LOCKED behind a per-schema advisory lock, so two relays never send one row
   * and one relay at a time keeps per-key order. PGlite (one process): false, no transaction.
   */
  lockRows?: boolean;
  batchSize?: number;
  /** Idle poll interval (default 250 ms); notify() wakes the relay sooner. */
  pollIntervalMs?: number;
  /** Backoff after a failed publish: 250 ms doubling up to this (default 10 s). */
  maxBackoffMs?: number;
  /** Published rows older than this many days are deleted (default 7; 0 keeps them). */
  retentionDays?: number;
  housekeepingIntervalMs?: number;
  /** A publish that takes longer counts as failed (default 60 s); the rows are retried (at-least-once). */
  publishTimeoutMs?: number;
  /**
   * In-process bus only: on start, rows published within this long before the last publish are
   * published again (default 5 minutes; 0 turns it off). The in-process bus does not outlive the
   * process, so what it had not delivered when the process stopped would otherwise be lost; consumers
   * dedupe (consumeOnce), which makes embedded mode at-least-once like Kafka.
   */
  redeliverOnStartMs?: number;
  log?: EventLog;
}

interface OutboxRow {
  id: string;
  topic: string;
  envelope: unknown;
}

export interface RelayBatchResult {
  published: number;
  failed: number;
  error?: string;
}

const placeholders = (count: number, offset = 0) => Array.from({ length: count }, (_, i) => `$${i + 1 + offset}::uuid`).join(', ');

/**
 * Publishes a subgraph's outbox rows through the bus, oldest first, and marks them published.
 * A failed publish leaves the rows (attempts + 1, last_error) and backs off; nothing is lost while
 * the broker is down. A crash between publish and mark republishes the rows: delivery is
 * at-least-once and consumers dedupe with consumeOnce.
 */
export class OutboxRelay {
  private readonly db: OutboxStore;
  private readonly bus: EventBus;
  private readonly name: string;
  private readonly lockRows: boolean;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly maxBackoffMs: number;
  private readonly retentionDays: number;
  private readonly housekeepingIntervalMs: number;
  private readonly publishTimeoutMs: number;
  private readonly redeliverOnStartMs: number;
  private readonly log: EventLog;
  private running: Promise<void> | undefined;
  private stopping = false;
  private notified = false;
  private wake: (() => void) | undefined;
  private failures = 0;
  private lastHousekeeping = 0;

  constructor(options: OutboxRelayOptions) {
    this.db = options.db;
    this.bus = options.bus;
    this.name = options.name ?? 'outbox';
    this.lockRows = options.lockRows ?? true;
    this.batchSize = options.batchSize ?? 100;
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.maxBackoffMs = options.maxBackoffMs ?? 10_000;
    this.retentionDays = options.retentionDays ?? 7;
    this.housekeepingIntervalMs = options.housekeepingIntervalMs ?? 3_600_000;
    this.publishTimeoutMs = options.publishTimeoutMs ?? 60_000;
    this.redeliverOnStartMs = options.redeliverOnStartMs ?? 5 * 60_000;
    this.log = options.log ?? defaultEventLog('events');
  }

  start(): this {
    if (!this.running) {
      this.stopping = false;
      this.running = this.loop();
    }
    return this;
  }

  /** Wakes the relay now (call after committing a transaction that wrote events). */
  notify(): void {
    this.notified = true;
    if (this.failures === 0) this.wake?.();
  }

  /** Stops polling and waits for the batch in flight to finish (it is published and marked, or left). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.running;
    this.running = undefined;
  }

  /**
   * Marks the rows published in the last `redeliverOnStartMs` before the newest publish as unpublished,
   * so the relay sends them again (in-process bus only; see the option). Returns how many.
   */
  async redeliverRecent(): Promise<number> {
    if (this.bus.kind !== 'in-process' || this.redeliverOnStartMs <= 0) return 0;
    const count = await this.db.$executeRawUnsafe(
      `update outbox_events set published_at = null
        where published_at >= (select max(published_at) from outbox_events) - ($1::int * interval '1 millisecond')`,
      this.redeliverOnStartMs,
    );
    if (count > 0) this.log({ level: 'info', msg: 'outbox: publishing recent events again (the in-process bus lost what it had not delivered when the process stopped; consumers dedupe)', relay: this.name, rows: count });
    return count;
  }

  private async loop(): Promise<void> {
    await this.redeliverRecent().catch((error) => this.log({ level: 'warn', msg: 'outbox: could not re-publish recent events', relay: this.name, error: errorMessage(error) }));
    while (!this.stopping) {
      let delay = this.pollIntervalMs;
      this.notified = false;
      try {
        const result = await this.runOnce();
        if (result.failed > 0) {
          this.failures += 1;
          delay = this.backoff();
          this.log({ level: 'warn', msg: 'outbox publish failed; will retry', relay: this.name, rows: result.failed, retryInMs: delay, error: result.error });
        } else {
          if (this.failures > 0) this.log({ level: 'info', msg: 'outbox publishing again', relay: this.name, afterFailures: this.failures });
          this.failures = 0;
          if (result.published >= this.batchSize) delay = 0;
        }
        await this.housekeeping();
      } catch (error) {
        if (this.stopping) break;
        this.failures += 1;
        delay = this.backoff();
        this.log({ level: 'warn', msg: 'outbox relay error; will retry', relay: this.name, retryInMs: delay, error: errorMessage(error) });
      }
      if (delay > 0 && !this.stopping && !(this.notified && this.failures === 0)) await this.sleep(delay);
    }
  }

  private backoff(): number {
    return Math.min(this.maxBackoffMs, 250 * 2 ** Math.min(this.failures - 1, 16));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wake = undefined;
        resolve();
      }
      this.wake = done;
    });
  }

  /** Publishes one batch (for tests and tools; the loop calls it). */
  async runOnce(): Promise<RelayBatchResult> {
    if (!this.lockRows) return this.publishBatch(this.db);
    return this.db.$transaction(async (tx) => {
      const [lock] = await tx.$queryRawUnsafe<{ locked: boolean }[]>(`select pg_try_advisory_xact_lock(hashtext('flowforge.outbox.' || current_schema())) as locked`);
      if (!lock?.locked) return { published: 0, failed: 0 }; // another instance is relaying this schema
      return this.publishBatch(tx);
    }, { maxWait: 10_000, timeout: 120_000 });
  }

  private async publishBatch(sql: SqlClient): Promise<RelayBatchResult> {
    const rows = await sql.$queryRawUnsafe<OutboxRow[]>(
      `select id::text as id, topic, envelope from outbox_events where published_at is null order by created_at, id limit ${this.batchSize}${this.lockRows ? ' for update skip locked' : ''}`,
    );
    if (rows.length === 0) return { published: 0, failed: 0 };
    const published: string[] = [];
    let error: string | undefined;
    // Consecutive rows of one topic go in one publish, in order.
    for (let start = 0; start < rows.length && error === undefined;) {
      let end = start + 1;
      while (end < rows.length && rows[end]!.topic === rows[start]!.topic) end += 1;
      const run = rows.slice(start, end);
      try {
        await this.publishWithTimeout(run[0]!.topic, run.map((row) => parseEnvelope(row.envelope)));
        published.push(...run.map((row) => row.id));
      } catch (publishError) {
        error = errorMessage(publishError);
      }
      start = end;
    }
    if (published.length > 0) {
      await sql.$executeRawUnsafe(`update outbox_events set published_at = now(), attempts = attempts + 1 where id in (${placeholders(published.length)})`, ...published);
    }
    const failed = rows.slice(published.length).map((row) => row.id);
    if (failed.length > 0) {
      await sql.$executeRawUnsafe(
        `update outbox_events set attempts = attempts + 1, last_error = $1 where id in (${placeholders(failed.length, 1)})`,
        (error ?? 'not published').slice(0, 2000), ...failed,
      );
    }
    return { published: published.length, failed: failed.length, ...(error !== undefined && { error }) };
  }

  private async publishWithTimeout(topic: string, events: EventEnvelope[]): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.bus.publish(topic, events),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`publish to ${topic} timed out after ${this.publishTimeoutMs} ms`)), this.publishTimeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Deletes published rows older than retentionDays, at most once per housekeeping interval. */
  async housekeeping(force = false): Promise<number> {
    if (this.retentionDays <= 0) return 0;
    const now = Date.now();
    if (!force && now - this.lastHousekeeping < this.housekeepingIntervalMs) return 0;
    this.lastHousekeeping = now;
    return this.db.$executeRawUnsafe(
      `delete from outbox_events where published_at is not null and published_at < now() - ($1::int * interval '1 day')`,
      this.retentionDays,
    );
  }

  /** Unpublished rows (for health details and tests). */
  async pending(): Promise<number> {
    const [row] = await this.db.$queryRawUnsafe<{ count: number | bigint | string }[]>(`select count(*)::int as count from outbox_events where published_at is null`);
    return Number(row?.count ?? 0);
  }
}


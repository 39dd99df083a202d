/**
 * Dead-letter replay (operator tool, `pnpm events:replay-dlq`): reads `<topic>.dlq` on Kafka from
 * the replay's last position up to the high watermark at start, and republishes each letter's
 * ORIGINAL envelope (without `deadletter`; same id, same key = subject) to the topic it failed on.
 * Every group on that topic receives it again: groups that applied it already skip it (consumeOnce
 * dedupes on the id), the group whose handler failed applies it now.
 *
 * Progress is the committed offsets of the consumer group `flowforge.dlq-replay.<topic>` on
 * `<topic>.dlq` (namespaced like every group of the bus), committed after each batch is republished;
 * a filtered replay (--group / --type) keeps its own group per filter (`...<topic>.by-group.<g>`),
 * so letters a filter skipped stay due for other filters and for an unfiltered run. The group's lag
 * (kafka-consumer-groups --describe) is the number of letters not replayed yet.
 * A dry run reads through a throwaway group that starts at the same position and is deleted after.
 *
 * Never prints or logs event data or handler errors (they may hold user content): ids, types, groups.
 */
import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, KafkaMessage } from 'kafkajs';
import { parseEnvelope } from './envelope.js';
import { KafkaEventBus, kafkaNamespace, parseBrokers } from './kafka.js';
import { errorMessage } from './log.js';
import { deadLetterTopicOf, isDeadLetter, isDeadLetterTopic, type DeadLetterEnvelope, type EventEnvelope } from './types.js';

/** Prefix of the consumer groups whose committed offsets on `<topic>.dlq` are the replay's progress. */
export const DLQ_REPLAY_GROUP = 'flowforge.dlq-replay';

export interface DeadLetterFilter {
  /** Only letters whose `deadletter.group` (the failed consumer group, logical name) is this. */
  group?: string;
  /** Only letters of this event type. */
  type?: string;
}

/**
 * The progress group of a replay of `topic` with this filter (logical name; the bus adds the
 * namespace): one group per topic, since kafkajs assigns a group's partitions as if every member
 * subscribed to the same topics (two replays of different topics in one group would get each
 * other's partitions).
 */
export function replayProgressGroup(topic: string, filter: DeadLetterFilter = {}): string {
  let group = `${DLQ_REPLAY_GROUP}.${topic}`;
  if (filter.group) group += `.by-group.${filter.group}`;
  if (filter.type) group += `.by-type.${filter.type}`;
  return group;
}

export interface ReplayDeadLettersOptions extends DeadLetterFilter {
  bus: KafkaEventBus;
  /** The original topic (logical name), e.g. "flowforge.focus"; "flowforge.focus.dlq" is taken to mean the same. */
  topic: string;
  /** List what would be replayed; publish nothing, commit nothing. */
  dryRun?: boolean;
  /** A progress line every this many letters read (default 100). */
  progressEvery?: number;
  out?: (line: string) => void;
  /** Fail when no letter arrives for this long while some are still due (default 60 s). */
  stallTimeoutMs?: number;
}

export interface ReplayedLetter {
  id: string;
  type: string;
  /** The consumer group that had failed on it. */
  group: string;
  /** The topic it was republished to. */
  topic: string;
  attempts: number;
  failedat: string;
  partition: number;
  offset: string;
}

export interface UnreadableLetter {
  partition: number;
  offset: string;
  /** The failed group from the message's `dlq_group` header, if any. */
  group?: string;
  /** Why it cannot be replayed (never the content). */
  reason: string;
}

export interface DeadLetterReplayResult {
  topic: string;
  deadLetterTopic: string;
  progressGroup: string;
  dryRun: boolean;
  /** Letters after the replay's position when it started. */
  due: number;
  read: number;
  /** Republished (dry run: would be). */
  replayed: number;
  skippedByFilter: number;
  unreadable: number;
  letters: ReplayedLetter[];
  unreadableLetters: UnreadableLetter[];
}

/** The topic (and its `.dlq`) does not exist on the broker. */
export class UnknownTopicError extends Error {
  override readonly name: string = 'UnknownTopicError';
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const max = (a: bigint, b: bigint) => (a > b ? a : b);

type Classified =
  | { kind: 'replay'; letter: DeadLetterEnvelope; original: EventEnvelope }
  | { kind: 'skip' }
  | { kind: 'unreadable'; reason: string };

function classify(message: KafkaMessage, filter: DeadLetterFilter): Classified {
  let raw: unknown;
  try {
    raw = JSON.parse(message.value?.toString('utf8') ?? '');
  } catch {
    return { kind: 'unreadable', reason: 'not JSON (the original message was not a readable event when it was dead-lettered)' };
  }
  let event: EventEnvelope;
  try {
    event = parseEnvelope(raw);
  } catch (error) {
    return { kind: 'unreadable', reason: `not an event envelope (${errorMessage(error).slice(0, 80)})` };
  }
  if (!isDeadLetter(event) || typeof event.deadletter.topic !== 'string' || !event.deadletter.topic || isDeadLetterTopic(event.deadletter.topic)) {
    return { kind: 'unreadable', reason: 'no usable deadletter field (not written by the bus)' };
  }
  if (filter.group !== undefined && event.deadletter.group !== filter.group) return { kind: 'skip' };
  if (filter.type !== undefined && event.type !== filter.type) return { kind: 'skip' };
  const { deadletter: _deadletter, ...original } = event;
  return { kind: 'replay', letter: event, original: original as EventEnvelope };
}

/**
 * Replays the dead letters of `topic` once (see the file comment). Throws UnknownTopicError when
 * neither the topic nor its dead-letter topic exists; a topic without a `.dlq` has nothing to replay.
 */
export async function replayDeadLetters(options: ReplayDeadLettersOptions): Promise<DeadLetterReplayResult> {
  const { bus } = options;
  const out = options.out ?? (() => {});
  const dryRun = options.dryRun ?? false;
  const every = Math.max(1, options.progressEvery ?? 100);
  const stallTimeoutMs = options.stallTimeoutMs ?? 60_000;
  const filter: DeadLetterFilter = { ...(options.group !== undefined && { group: options.group }), ...(options.type !== undefined && { type: options.type }) };
  const topic = isDeadLetterTopic(options.topic) ? options.topic.slice(0, -'.dlq'.length) : options.topic;
  const dlq = deadLetterTopicOf(topic);
  const dlqOnBroker = bus.brokerName(dlq);
  const progressGroup = replayProgressGroup(topic, filter);
  const result: DeadLetterReplayResult = {
    topic, deadLetterTopic: dlq, progressGroup, dryRun, due: 0, read: 0, replayed: 0, skippedByFilter: 0, unreadable: 0, letters: [], unreadableLetters: [],
  };

  const admin: Admin = bus.client.admin();
  await admin.connect();
  let consumer: Consumer | undefined;
  let readerGroup: string | undefined;
  try {
    const topics = await admin.listTopics();
    if (!topics.includes(dlqOnBroker)) {
      if (topics.includes(bus.brokerName(topic))) {
        out(`${topic} has no dead letters: ${dlq} does not exist on the broker (nothing has ever been dead-lettered there).`);
        return result;
      }
      const known = topics.filter((t) => isDeadLetterTopic(t) && bus.brokerName(bus.logicalName(t)) === t)
        .map((t) => bus.logicalName(t).slice(0, -'.dlq'.length)).sort();
      throw new UnknownTopicError(`Unknown topic "${topic}": neither ${bus.brokerName(topic)} nor ${dlqOnBroker} exists on the broker. `
        + (known.length > 0 ? `Topics with dead letters: ${known.join(', ')}.` : 'No topic has dead letters.'));
    }

    const offsets = await admin.fetchTopicOffsets(dlqOnBroker);
    const [committed] = await admin.fetchOffsets({ groupId: bus.brokerName(progressGroup), topics: [dlqOnBroker] });
    const end = new Map<number, bigint>();
    const position = new Map<number, bigint>();
    for (const { partition, low, high } of offsets) {
      const done = BigInt(committed?.partitions.find((p) => p.partition === partition)?.offset ?? '-1');
      end.set(partition, BigInt(high));
      position.set(partition, done < 0n ? BigInt(low) : max(done, BigInt(low)));
    }
    for (const [partition, stop] of end) result.due += Number(max(0n, stop - position.get(partition)!));
    out(`${dlq}: ${result.due} letter(s) after the position of ${progressGroup}${dryRun ? ' (dry run: nothing is published or committed)' : ''}`);
    if (result.due === 0) return result;

    readerGroup = dryRun ? `${progressGroup}.dry-run.${randomUUID()}` : progressGroup;
    if (dryRun) {
      await admin.setOffsets({ groupId: bus.brokerName(readerGroup), topic: dlqOnBroker, partitions: [...position].map(([partition, offset]) => ({ partition, offset: offset.toString() })) });
    }

    let failure: unknown;
    let assigned: Set<number> | undefined;
    let lastProgress = Date.now();
    const reader = bus.client.consumer({
      groupId: bus.brokerName(readerGroup),
      sessionTimeout: 30000,
      heartbeatInterval: 3000,
      maxWaitTimeInMs: 250,
      retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 3000, restartOnFailure: async () => false },
    });
    consumer = reader;
    reader.on(reader.events.GROUP_JOIN, ({ payload }) => {
      const mine = new Set(payload.memberAssignment[dlqOnBroker] ?? []);
      lastProgress = Date.now();
      if (dryRun) {
        assigned = mine;
        return;
      }
      // After a rebalance (another replay of this topic ran alongside), take over from its commits.
      admin.fetchOffsets({ groupId: bus.brokerName(progressGroup), topics: [dlqOnBroker] }).then(([now]) => {
        for (const { partition, offset } of now?.partitions ?? []) {
          if (BigInt(offset) >= 0n) position.set(partition, max(position.get(partition) ?? 0n, BigInt(offset)));
        }
        assigned = mine;
      }, (error: unknown) => (failure ??= error));
    });
    reader.on(reader.events.CRASH, ({ payload }) => {
      failure ??= payload.error;
    });

    await reader.connect();
    await reader.subscribe({ topics: [dlqOnBroker], fromBeginning: true });
    await reader.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
        if (failure || batch.topic !== dlqOnBroker) return;
        const partition = batch.partition;
        const stop = end.get(partition) ?? 0n;
        const due = batch.messages.filter((m) => BigInt(m.offset) < stop);
        if (due.length === 0) {
          reader.pause([{ topic: batch.topic, partitions: [partition] }]);
          return;
        }
        try {
          const publish = new Map<string, EventEnvelope[]>();
          const counts = { read: 0, replayed: 0, skippedByFilter: 0, unreadable: 0 };
          const letters: ReplayedLetter[] = [];
          const unreadable: UnreadableLetter[] = [];
          for (const message of due) {
            counts.read += 1;
            const c = classify(message, filter);
            if (c.kind === 'skip') counts.skippedByFilter += 1;
            else if (c.kind === 'unreadable') {
              counts.unreadable += 1;
              const group = message.headers?.dlq_group?.toString();
              unreadable.push({ partition, offset: message.offset, reason: c.reason, ...(group && { group }) });
            } else {
              counts.replayed += 1;
              const { deadletter } = c.letter;
              letters.push({ id: c.original.id, type: c.original.type, group: deadletter.group, topic: deadletter.topic, attempts: deadletter.attempts, failedat: deadletter.failedat, partition, offset: message.offset });
              const list = publish.get(deadletter.topic) ?? [];
              list.push(c.original);
              publish.set(deadletter.topic, list);
            }
          }
          const next = BigInt(due.at(-1)!.offset) + 1n;
          if (!dryRun) {
            for (const [target, events] of publish) await bus.publish(target, events);
            await reader.commitOffsets([{ topic: batch.topic, partition, offset: next.toString() }]);
          }
          for (const letter of letters) {
            if (dryRun) out(`  would replay ${letter.id} ${letter.type} to ${letter.topic} (failed in group ${letter.group} after ${letter.attempts} attempt(s) at ${letter.failedat}; partition ${partition} offset ${letter.offset})`);
          }
          for (const u of unreadable) out(`  unreadable letter at partition ${u.partition} offset ${u.offset}${u.group ? ` (group ${u.group})` : ''}: ${u.reason}`);
          const before = result.read;
          result.read += counts.read;
          result.replayed += counts.replayed;
          result.skippedByFilter += counts.skippedByFilter;
          result.unreadable += counts.unreadable;
          result.letters.push(...letters);
          result.unreadableLetters.push(...unreadable);
          if (Math.floor(result.read / every) > Math.floor(before / every) && result.read < result.due) {
            out(`  ${result.read} of ${result.due} read (${dryRun ? 'would replay' : 'replayed'} ${result.replayed}, skipped by filter ${result.skippedByFilter}, unreadable ${result.unreadable})`);
          }
          position.set(partition, max(position.get(partition) ?? 0n, next));
          lastProgress = Date.now();
          resolveOffset(due.at(-1)!.offset);
          if (next >= stop) reader.pause([{ topic: batch.topic, partitions: [partition] }]);
          await heartbeat();
        } catch (error) {
          failure ??= error;
        }
      },
    });

    for (;;) {
      if (failure) throw failure;
      if (assigned && [...assigned].every((p) => (position.get(p) ?? 0n) >= (end.get(p) ?? 0n))) break;
      if (Date.now() - lastProgress > stallTimeoutMs) {
        throw new Error(`dead-letter replay stalled: nothing read from ${dlqOnBroker} for ${stallTimeoutMs} ms (${result.read} of ${result.due} read; progress so far is committed)`);
      }
      await sleep(50);
    }
    if (assigned && assigned.size < end.size && !dryRun) {
      const others = [...end.keys()].filter((p) => !assigned!.has(p) && position.get(p)! < end.get(p)!);
      if (others.length > 0) out(`  partitions ${others.join(', ')} are being replayed by another run of this command (same progress group)`);
    }
    return result;
  } finally {
    if (consumer) await consumer.disconnect().catch(() => {});
    if (dryRun && readerGroup) await admin.deleteGroups([bus.brokerName(readerGroup)]).catch(() => {});
    await admin.disconnect().catch(() => {});
  }
}

export const REPLAY_DLQ_USAGE = 'usage: pnpm events:replay-dlq <topic> [--group <consumer group>] [--type <event type>] [--dry-run] [--every <n>]';

export interface ReplayDlqCommandOptions {
  env?: NodeJS.ProcessEnv;
  out?: (line: string) => void;
  /** Overrides for the bus (tests). */
  busOptions?: Partial<ConstructorParameters<typeof KafkaEventBus>[0]>;
}

interface ParsedArgs extends DeadLetterFilter {
  topic: string;
  dryRun: boolean;
  every: number;
}

function parseArgs(argv: readonly string[]): ParsedArgs | string {
  const args = [...argv];
  const parsed: Partial<ParsedArgs> & { dryRun: boolean; every: number } = { dryRun: false, every: 100 };
  while (args.length > 0) {
    const arg = args.shift()!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => {
      const v = inline ?? args.shift();
      if (v === undefined || v === '' || (inline === undefined && v.startsWith('--'))) throw new Error(`${flag} needs a value`);
      return v;
    };
    try {
      if (flag === '--dry-run') parsed.dryRun = true;
      else if (flag === '--group') parsed.group = value();
      else if (flag === '--type') parsed.type = value();
      else if (flag === '--every') {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 1) return '--every needs a positive integer';
        parsed.every = n;
      } else if (flag === '--help' || flag === '-h') return '';
      else if (flag === '--') continue;
      else if (flag.startsWith('-')) return `unknown option ${flag}`;
      else if (parsed.topic === undefined) parsed.topic = flag;
      else return `unexpected argument "${flag}" (one topic per run)`;
    } catch (error) {
      return errorMessage(error);
    }
  }
  if (!parsed.topic) return 'which topic? e.g. flowforge.focus';
  return parsed as ParsedArgs;
}

const pad = (label: string, value: number) => `  ${label.padEnd(20)}${String(value).padStart(8)}`;

/**
 * The command without process.exit (tests call it). Exit codes: 0 done, 1 failed (Kafka error;
 * progress up to the last committed batch is kept), 2 usage: bad arguments, no KAFKA_BROKERS, unknown topic.
 */
export async function replayDlqCommand(argv: readonly string[], options: ReplayDlqCommandOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  const out = options.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    if (args) out(args);
    out(REPLAY_DLQ_USAGE);
    return 2;
  }
  const brokers = parseBrokers(env.KAFKA_BROKERS ?? '');
  if (brokers.length === 0) {
    out('events:replay-dlq needs Kafka: set KAFKA_BROKERS=host:port[,host:port...] (and KAFKA_NAMESPACE if the deployment uses one) to the cluster the services use.');
    out('Without KAFKA_BROKERS FlowForge runs in embedded mode, where the in-process bus keeps dead letters only in the memory of the running stack'
      + ' (on `<topic>.dlq`, among the last 10,000 events it retains per topic) and drops them when the stack stops: no other process can read or replay them.');
    return 2;
  }
  let namespace: string;
  try {
    namespace = kafkaNamespace(undefined, env);
  } catch (error) {
    out(errorMessage(error));
    return 2;
  }
  const bus = new KafkaEventBus({
    brokers, env, clientId: 'flowforge-dlq-replay',
    // An operator waiting at a prompt: give up on an unreachable broker after ~10 s, not a minute.
    retry: { initialRetryTime: 300, maxRetryTime: 3000, retries: 5, factor: 0.2, multiplier: 2 },
    ...options.busOptions,
  });
  const filters = [args.group && `group ${args.group}`, args.type && `type ${args.type}`].filter(Boolean).join(', ');
  out(`Dead-letter replay of ${args.topic} on ${brokers.join(',')} (${namespace ? `namespace ${namespace}` : 'no namespace'})${filters ? `, only ${filters}` : ''}${args.dryRun ? ', DRY RUN' : ''}`);
  try {
    const result = await replayDeadLetters({
      bus, topic: args.topic, dryRun: args.dryRun, progressEvery: args.every, out,
      ...(args.group !== undefined && { group: args.group }), ...(args.type !== undefined && { type: args.type }),
    });
    out(`Summary (${result.deadLetterTopic}, progress group ${result.progressGroup}${result.dryRun ? ', dry run' : ''}):`);
    out(pad('read', result.read));
    out(pad(result.dryRun ? 'would replay' : 'replayed', result.replayed));
    out(pad('skipped by filter', result.skippedByFilter));
    out(pad('unreadable', result.unreadable));
    const byGroup = new Map<string, number>();
    for (const letter of result.letters) byGroup.set(letter.group, (byGroup.get(letter.group) ?? 0) + 1);
    for (const [group, n] of [...byGroup].sort()) out(`  ${result.dryRun ? 'would replay' : 'replayed'} for group ${group}: ${n}`);
    if (result.skippedByFilter > 0) out('Letters skipped by the filter stay due for a run with another filter or none.');
    if (result.unreadable > 0) out('Unreadable letters are not replayed (progress moves past them): inspect them on the broker at the partitions/offsets listed above.');
    if (!result.dryRun && result.replayed > 0) out('A group whose handler still fails dead-letters the event again (a new letter, for a later run).');
    return 0;
  } catch (error) {
    if (error instanceof UnknownTopicError) {
      out(error.message);
      return 2;
    }
    out(`events:replay-dlq failed: ${errorMessage(error)}`);
    return 1;
  } finally {
    await bus.close();
  }
}

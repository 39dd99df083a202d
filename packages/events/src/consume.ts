import type { SqlClient, TransactionRunner } from './outbox.js';
import type { EventEnvelope } from './types.js';

/**
 * Applies `effect` for `event` at most once per `consumer`: the processed_events row and the effect
 * commit in ONE interactive transaction on the consumer's own database. A redelivered event (row
 * already there) is skipped without running the effect; returns whether the effect ran.
 * Concurrent duplicates serialise on the primary key: the second waits, then skips.
 */
export async function consumeOnce<TTx extends SqlClient>(
  db: TransactionRunner<TTx>,
  consumer: string,
  event: Pick<EventEnvelope, 'id'>,
  effect: (tx: TTx) => Promise<void>,
  options: { timeoutMs?: number } = {},
): Promise<boolean> {
  try {
    return await db.$transaction(async (tx) => {
      const inserted = await tx.$executeRawUnsafe(
        'insert into processed_events (consumer, event_id) values ($1, $2::uuid) on conflict do nothing',
        consumer, event.id,
      );
      if (inserted === 0) return false;
      await effect(tx);
      return true;
    }, { maxWait: 10_000, timeout: options.timeoutMs ?? 30_000 });
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}

function isUniqueViolation(error: unknown): boolean {
  // Only the processed_events key: an effect's own unique violation is the effect's error.
  const e = error as { code?: string; meta?: unknown; message?: string } | null;
  if (!e) return false;
  const text = `${e.message ?? ''} ${JSON.stringify(e.meta ?? {})}`;
  return /processed_events/.test(text) && (e.code === 'P2002' || /23505|unique/i.test(text));
}

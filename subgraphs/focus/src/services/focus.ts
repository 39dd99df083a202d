import type { Identity } from '@flowforge/auth';
import { createEvent, FocusEvents, type EventEnvelope, type FocusEventType, type FocusSessionEventData } from '@flowforge/events';
import { conflict, notFound, requireId, requirePermission, type SubgraphEvents } from '@flowforge/runtime';
import { actualFocusMinutes, assertCanEnd, assertCanPause, assertCanResume, validateInterruption, validateRating, validateStartInput, validateCategory, validateNotes } from '../domain/session.js';
import { Prisma } from '../generated/prisma/client.js';
import type { SessionRepository, SessionWithDetails, Tx } from '../data/sessions.js';

export interface StartInput { plannedMinutes: number; category?: string | null; notes?: string | null; focusBlockId?: string | null }
export interface EndInput { rating?: number | null; notes?: string | null }
export interface UpdateInput { category?: string | null; notes?: string | null; rating?: number | null }

const NOT_FOUND = 'No focus session with that id among your sessions in the active organization.';


/** The event describing `session` as it is now (built inside the transaction that changed it). */
export function sessionEvent(type: FocusEventType, session: SessionWithDetails, extra: Partial<FocusSessionEventData> = {}): EventEnvelope<FocusSessionEventData> {
  return createEvent<FocusSessionEventData>({
    domain: 'focus',
    type,
    subject: session.id,
    tenant: session.organizationId,
    data: {
      sessionId: session.id,
      userId: session.userId,
      organizationId: session.organizationId,
      state: session.state,
      plannedMinutes: session.plannedMinutes,
      actualMinutes: session.actualMinutes ?? actualFocusMinutes(session.startedAt, new Date(), session.pauses),
      category: session.category,
      rating: session.rating,
      notes: session.notes,
      pauseCount: session.pauses.length,
      interruptionCount: session.interruptions.length,
      startedAt: session.startedAt.toISOString(),
      endedAt: session.endedAt?.toISOString() ?? null,
      focusBlockId: session.focusBlockId,
      ...extra,
    },
  });
}

/**
 * The focus-session lifecycle. Each change runs in one transaction, re-checks state inside it,
 * and writes its `flowforge.focus.session.*` event to the outbox in that same transaction.
 */
export class FocusService {
  constructor(private readonly sessions: SessionRepository, private readonly events: SubgraphEvents<Tx>) {}

  /** Runs `change` in a transaction and records the event for the session it returns. */
  private changeAndEmit(type: FocusEventType, change: (tx: Tx) => Promise<SessionWithDetails>, extra?: (session: SessionWithDetails) => Partial<FocusSessionEventData>) {
    return this.events.transaction(async (tx) => {
      const session = await change(tx);
      await this.events.publish(tx, [sessionEvent(type, session, extra?.(session))]);
      return session;
    });
  }

  private async ownedForUpdate(identity: Identity, id: string, tx: Tx) {
    const member = requirePermission(identity, 'focus:own:write');
    const session = await this.sessions.findOwned(member.organizationId, member.userId, requireId(id, 'id'), tx);
    if (!session) throw notFound(NOT_FOUND);
    return session;
  }

  async start(identity: Identity, input: StartInput): Promise<SessionWithDetails> {
    const member = requirePermission(identity, 'focus:own:write');
    const valid = validateStartInput(input);
    const focusBlockId = input.focusBlockId == null ? null : requireId(input.focusBlockId, 'focusBlockId');
    try {
      return await this.changeAndEmit(FocusEvents.started, async (tx) => {
        const open = await tx.focusSession.findFirst({ where: { userId: member.userId, state: { in: ['ACTIVE', 'PAUSED'] } } });
        if (open) throw this.alreadyRunning(open.organizationId === member.organizationId ? open.id : null);
        const created = await tx.focusSession.create({ data: { organizationId: member.organizationId, userId: member.userId, ...valid, focusBlockId } });
        return this.sessions.reload(created.id, tx);
      });
    } catch (error) {
      // The partial unique index settles two concurrent starts: the loser lands here.
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') throw this.alreadyRunning(null);
      throw error;
    }
  }

  private alreadyRunning(id: string | null) {
    return conflict(id
      ? `You already have a focus session running (id ${id}); end it before starting another.`
      : 'You already have a focus session running in another organization; switch to it and end it first.');
  }

  pause(identity: Identity, id: string): Promise<SessionWithDetails> {
    return this.changeAndEmit(FocusEvents.paused, async (tx) => {
      const session = await this.ownedForUpdate(identity, id, tx);
      assertCanPause(session.state);
      await tx.focusSession.update({ where: { id: session.id }, data: { state: 'PAUSED', pauses: { create: { startedAt: new Date() } } } });
      return this.sessions.reload(session.id, tx);
    });
  }

  resume(identity: Identity, id: string): Promise<SessionWithDetails> {
    return this.changeAndEmit(FocusEvents.resumed, async (tx) => {
      const session = await this.ownedForUpdate(identity, id, tx);
      assertCanResume(session.state);
      await tx.focusPause.updateMany({ where: { sessionId: session.id, endedAt: null }, data: { endedAt: new Date() } });
      await tx.focusSession.update({ where: { id: session.id }, data: { state: 'ACTIVE' } });
      return this.sessions.reload(session.id, tx);
    });
  }

  recordInterruption(identity: Identity, id: string, reason: string): Promise<SessionWithDetails> {
    const valid = validateInterruption({ reason });
    let interruption: { reason: string; occurredAt: string } | undefined;
    return this.changeAndEmit(FocusEvents.interrupted, async (tx) => {
      const session = await this.ownedForUpdate(identity, id, tx);
      if (session.state === 'COMPLETED') throw conflict('This session has ended; interruptions can only be recorded while it runs or is paused.');
      const created = await tx.focusInterruption.create({ data: { sessionId: session.id, reason: valid.reason } });
      interruption = { reason: created.reason, occurredAt: created.occurredAt.toISOString() };
      return this.sessions.reload(session.id, tx);
    }, () => (interruption ? { interruption } : {}));
  }

  end(identity: Identity, id: string, input: EndInput = {}): Promise<SessionWithDetails> {
    const rating = input.rating == null ? undefined : validateRating(input.rating);
    const notes = input.notes == null ? undefined : validateNotes(input.notes);
    return this.changeAndEmit(FocusEvents.ended, async (tx) => {
      const session = await this.ownedForUpdate(identity, id, tx);
      assertCanEnd(session.state);
      const endedAt = new Date();
      await tx.focusPause.updateMany({ where: { sessionId: session.id, endedAt: null }, data: { endedAt } });
      const pauses = session.pauses.map((pause) => ({ startedAt: pause.startedAt, endedAt: pause.endedAt ?? endedAt }));
      await tx.focusSession.update({
        where: { id: session.id },
        data: { state: 'COMPLETED', endedAt, actualMinutes: actualFocusMinutes(session.startedAt, endedAt, pauses), ...(rating !== undefined && { rating }), ...(notes !== undefined && { notes }) },
      });
      return this.sessions.reload(session.id, tx);
    });
  }

  update(identity: Identity, id: string, input: UpdateInput): Promise<SessionWithDetails> {
    const rating = input.rating == null ? undefined : validateRating(input.rating);
    const category = input.category == null ? undefined : validateCategory(input.category);
    const notes = input.notes == null ? undefined : validateNotes(input.notes);
    return this.changeAndEmit(FocusEvents.updated, async (tx) => {
      const session = await this.ownedForUpdate(identity, id, tx);
      await tx.focusSession.update({ where: { id: session.id }, data: { ...(rating !== undefined && { rating }), ...(category !== undefined && { category }), ...(notes !== undefined && { notes }) } });
      return this.sessions.reload(session.id, tx);
    });
  }
}

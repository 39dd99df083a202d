import type { Identity } from '@flowforge/auth';
import { conflict, notFound, requireId, requirePermission } from '@flowforge/runtime';
import { actualFocusMinutes, assertCanEnd, assertCanPause, assertCanResume, validateInterruption, validateRating, validateStartInput } from '../domain/session.js';
import { Prisma } from '../generated/prisma/client.js';
import type { SessionRepository, SessionWithDetails, Tx } from '../data/sessions.js';

export interface StartInput { plannedMinutes: number; category?: string | null; notes?: string | null }
export interface EndInput { rating?: number | null; notes?: string | null }
export interface UpdateInput { category?: string | null; notes?: string | null; rating?: number | null }

const NOT_FOUND = 'No focus session with that id among your sessions in the active organization.';

function validNotes(notes: string): string {
  return validateStartInput({ plannedMinutes: 1, notes }).notes ?? '';
}

/** The focus-session lifecycle. Each change runs in one transaction and re-checks state inside it. */
export class FocusService {
  constructor(private readonly sessions: SessionRepository) {}

  private get db() {
    return this.sessions.db;
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
    try {
      return await this.db.$transaction(async (tx) => {
        const open = await tx.focusSession.findFirst({ where: { userId: member.userId, state: { in: ['ACTIVE', 'PAUSED'] } } });
        if (open) throw this.alreadyRunning(open.organizationId === member.organizationId ? open.id : null);
        const created = await tx.focusSession.create({ data: { organizationId: member.organizationId, userId: member.userId, ...valid } });
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
    return this.db.$transaction(async (tx) => {
      const session = await this.ownedForUpdate(identity, id, tx);
      assertCanPause(session.state);
      await tx.focusSession.update({ where: { id: session.id }, data: { state: 'PAUSED', pauses: { create: { startedAt: new Date() } } } });
      return this.sessions.reload(session.id, tx);
    });
  }

  resume(identity: Identity, id: string): Promise<SessionWithDetails> {
    return this.db.$transaction(async (tx) => {
      const session = await this.ownedForUpdate(identity, id, tx);
      assertCanResume(session.state);
      await tx.focusPause.updateMany({ where: { sessionId: session.id, endedAt: null }, data: { endedAt: new Date() } });
      await tx.focusSession.update({ where: { id: session.id }, data: { state: 'ACTIVE' } });
      return this.sessions.reload(session.id, tx);
    });
  }

  recordInterruption(identity: Identity, id: string, reason: string): Promise<SessionWithDetails> {
    const valid = validateInterruption({ reason });
    return this.db.$transaction(async (tx) => {
      const session = await this.ownedForUpdate(identity, id, tx);
      if (session.state === 'COMPLETED') throw conflict('This session has ended; interruptions can only be recorded while it runs or is paused.');
      await tx.focusInterruption.create({ data: { sessionId: session.id, reason: valid.reason } });
      return this.sessions.reload(session.id, tx);
    });
  }

  end(identity: Identity, id: string, input: EndInput = {}): Promise<SessionWithDetails> {
    const rating = input.rating == null ? undefined : validateRating(input.rating);
    const notes = input.notes == null ? undefined : validNotes(input.notes);
    return this.db.$transaction(async (tx) => {
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
    const category = input.category == null ? undefined : validateStartInput({ plannedMinutes: 1, category: input.category }).category;
    const notes = input.notes == null ? undefined : validNotes(input.notes);
    return this.db.$transaction(async (tx) => {
      const session = await this.ownedForUpdate(identity, id, tx);
      await tx.focusSession.update({ where: { id: session.id }, data: { ...(rating !== undefined && { rating }), ...(category !== undefined && { category }), ...(notes !== undefined && { notes }) } });
      return this.sessions.reload(session.id, tx);
    });
  }
}

import { hashOpaqueToken, newOpaqueToken, signAccessToken, type Role, type SigningKey } from '@flowforge/auth';
import { unauthenticated } from '@flowforge/runtime';
import { randomUUID } from 'node:crypto';
import { REFRESH_TOKEN_TTL_MS } from '../domain/membership-rules.js';
import type { PrismaClient } from '../generated/prisma/client.js';

type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];
type Db = PrismaClient | Tx;

export interface IssuedSession {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string | null;
  userId: string;
  organizationId: string | null;
  role: Role | null;
}

const INVALID_REFRESH = 'This refresh token is not valid or has expired; log in again.';

/** Sign-ins: access tokens (JWT, 15 min) plus rotating, hashed refresh tokens grouped in families. */
export class SessionService {
  constructor(private readonly db: PrismaClient, private readonly accessKey: SigningKey) {}

  private async membershipRole(db: Db, userId: string, organizationId: string | null): Promise<Role | null> {
    if (!organizationId) return null;
    const membership = await db.membership.findUnique({ where: { organizationId_userId: { organizationId, userId } } });
    return membership?.role ?? null;
  }

  private async storeRefreshToken(db: Db, userId: string, familyId: string, organizationId: string | null): Promise<string> {
    const token = newOpaqueToken();
    await db.refreshToken.create({
      data: { userId, familyId, organizationId, tokenHash: hashOpaqueToken(token), expiresAt: new Date(Date.now() + REFRESH_TOKEN_TTL_MS) },
    });
    return token;
  }

  private async accessToken(userId: string, familyId: string, organizationId: string | null, role: Role | null) {
    const active = role ? organizationId : null;
    const { token, expiresAt } = await signAccessToken(this.accessKey, { userId, organizationId: active, workspaceId: null, role, sessionId: familyId });
    return { accessToken: token, accessTokenExpiresAt: expiresAt, userId, organizationId: active, role };
  }

  /** Starts a new sign-in (a new refresh-token family) acting in `organizationId`. */
  async start(userId: string, organizationId: string | null, db: Db = this.db): Promise<IssuedSession> {
    const role = await this.membershipRole(db, userId, organizationId);
    const familyId = randomUUID();
    const refreshToken = await this.storeRefreshToken(db, userId, familyId, role ? organizationId : null);
    return { ...(await this.accessToken(userId, familyId, organizationId, role)), refreshToken };
  }

  /**
   * Rotates a refresh token. A token that was already rotated is being replayed (the legitimate
   * client only ever holds the newest), so the whole family is revoked.
   */
  async refresh(refreshToken: string): Promise<IssuedSession> {
    const row = await this.db.refreshToken.findUnique({ where: { tokenHash: hashOpaqueToken(refreshToken) } });
    if (!row || row.revokedAt || row.expiresAt.getTime() <= Date.now()) throw unauthenticated(INVALID_REFRESH);
    const now = new Date();
    const outcome = await this.db.$transaction(async (tx) => {
      const claimed = await tx.refreshToken.updateMany({ where: { id: row.id, rotatedAt: null, revokedAt: null }, data: { rotatedAt: now } });
      if (claimed.count === 0) return 'reused' as const;
      const role = await this.membershipRole(tx, row.userId, row.organizationId);
      const organizationId = role ? row.organizationId : null;
      const next = await this.storeRefreshToken(tx, row.userId, row.familyId, organizationId);
      return { next, role, organizationId };
    });
    if (outcome === 'reused') {
      await this.revokeFamily(row.familyId);
      throw unauthenticated('This refresh token was already used. For your safety every session of that sign-in has been ended; log in again.');
    }
    return { ...(await this.accessToken(row.userId, row.familyId, outcome.organizationId, outcome.role)), refreshToken: outcome.next };
  }

  async revokeFamily(familyId: string): Promise<void> {
    await this.db.refreshToken.updateMany({ where: { familyId, revokedAt: null }, data: { revokedAt: new Date() } });
  }

  /** Ends the sign-in a refresh token belongs to. Unknown tokens are not an error: the result is the same. */
  async logOut(refreshToken: string): Promise<void> {
    const row = await this.db.refreshToken.findUnique({ where: { tokenHash: hashOpaqueToken(refreshToken) } });
    if (row) await this.revokeFamily(row.familyId);
  }

  /** Points the caller's sign-in at another organization and issues an access token for it. */
  async switchOrganization(userId: string, familyId: string, organizationId: string, db: Db = this.db): Promise<IssuedSession> {
    const role = await this.membershipRole(db, userId, organizationId);
    await db.refreshToken.updateMany({ where: { familyId, userId, revokedAt: null }, data: { organizationId } });
    return { ...(await this.accessToken(userId, familyId, organizationId, role)), refreshToken: null };
  }

  /** The organization a fresh sign-in acts in: the one used most recently, else the oldest membership. */
  async defaultOrganization(userId: string): Promise<string | null> {
    const recent = await this.db.refreshToken.findFirst({ where: { userId, organizationId: { not: null } }, orderBy: { createdAt: 'desc' } });
    if (recent?.organizationId && (await this.membershipRole(this.db, userId, recent.organizationId))) return recent.organizationId;
    const first = await this.db.membership.findFirst({ where: { userId }, orderBy: { createdAt: 'asc' } });
    return first?.organizationId ?? null;
  }
}

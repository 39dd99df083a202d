import { ANONYMOUS, signInternalToken, TokenError, verifyAccessToken, type Identity, type SigningKey, type VerificationKey } from '@flowforge/auth';
import { HttpProblem } from '@flowforge/runtime';
import type { IncomingMessage } from 'node:http';
import type { MembershipRevocations } from './revocations.js';

/** Reads the caller's identity from `Authorization: Bearer <access token>`; no header means anonymous. */
export async function authenticate(req: IncomingMessage, accessKey: VerificationKey, revocations?: MembershipRevocations): Promise<Identity> {
  const header = req.headers.authorization;
  if (!header) return ANONYMOUS;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match?.[1]) throw new HttpProblem(401, 'UNAUTHENTICATED', 'The Authorization header must be "Bearer <access token>".', { 'www-authenticate': 'Bearer' });
  let claims;
  try {
    claims = await verifyAccessToken(match[1], accessKey);
  } catch (error) {
    const expired = error instanceof TokenError && error.reason === 'expired';
    const message = expired
      ? 'Your access token has expired: call refreshSession with your refresh token to get a new one.'
      : 'Your access token is not valid: sign in again with logIn.';
    throw new HttpProblem(401, 'UNAUTHENTICATED', message, { 'www-authenticate': `Bearer error="invalid_token"` });
  }
  const { expiresAt: _expiresAt, issuedAt, ...identity } = claims;
  if (revocations?.isRevoked(identity, issuedAt)) {
    throw new HttpProblem(401, 'UNAUTHENTICATED', 'Your membership in this organization changed (new role, or you left it): call refreshSession to get a token with your current access.', { 'www-authenticate': `Bearer error="invalid_token"` });
  }
  return identity;
}

/**
 * Internal tokens are short-lived (60 s) and identical for the same identity, so one is signed per
 * identity and reused until it is 20 s from expiry instead of signing on every subgraph call.
 */
export class InternalTokenIssuer {
  private readonly cache = new Map<string, { token: string; renewAt: number }>();

  constructor(private readonly key: SigningKey, private readonly maxEntries = 10_000) {}

  async tokenFor(identity: Identity): Promise<string> {
    const cacheKey = `${identity.userId}|${identity.organizationId}|${identity.workspaceId}|${identity.role}|${identity.sessionId}`;
    const cached = this.cache.get(cacheKey);
    const now = Date.now();
    if (cached && cached.renewAt > now) return cached.token;
    const token = await signInternalToken(this.key, identity);
    if (this.cache.size >= this.maxEntries) this.cache.clear();
    this.cache.set(cacheKey, { token, renewAt: now + 40_000 });
    return token;
  }
}

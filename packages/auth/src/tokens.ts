import { errors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { randomUUID } from 'node:crypto';
import { SIGNING_ALGORITHM, type SigningKey, type VerificationKey } from './keys.js';
import { isRole, type Role } from './roles.js';

export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
export const INTERNAL_TOKEN_TTL_SECONDS = 60;
export const ISSUER = 'flowforge';
export const ACCESS_AUDIENCE = 'flowforge-api';
export const GATEWAY_ISSUER = 'flowforge-gateway';
export const INTERNAL_AUDIENCE = 'flowforge-subgraphs';
const CLOCK_TOLERANCE_SECONDS = 5;

/** Who is calling, as the gateway tells the subgraphs. Anonymous requests have a null user. */
export interface Identity {
  userId: string | null;
  organizationId: string | null;
  workspaceId: string | null;
  role: Role | null;
  /** The sign-in (refresh-token family) the request belongs to. */
  sessionId: string | null;
}

export const ANONYMOUS: Identity = { userId: null, organizationId: null, workspaceId: null, role: null, sessionId: null };

export interface AccessClaims extends Identity {
  userId: string;
  sessionId: string;
  issuedAt: Date;
  expiresAt: Date;
}

export class TokenError extends Error {
  constructor(message: string, readonly reason: 'expired' | 'invalid') {
    super(message);
    this.name = 'TokenError';
  }
}

function identityClaims(identity: Identity): JWTPayload {
  return { org: identity.organizationId, ws: identity.workspaceId, role: identity.role, sid: identity.sessionId };
}

function readIdentity(payload: JWTPayload): Identity {
  const text = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value : null);
  return {
    userId: text(payload.sub),
    organizationId: text(payload.org),
    workspaceId: text(payload.ws),
    role: isRole(payload.role) ? payload.role : null,
    sessionId: text(payload.sid),
  };
}

export async function signAccessToken(key: SigningKey, identity: Identity & { userId: string; sessionId: string }, now = new Date()): Promise<{ token: string; expiresAt: Date }> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  const expiresAt = new Date((issuedAt + ACCESS_TOKEN_TTL_SECONDS) * 1000);
  const token = await new SignJWT(identityClaims(identity))
    .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid: key.kid, typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(ACCESS_AUDIENCE)
    .setSubject(identity.userId)
    .setJti(randomUUID())
    .setIssuedAt(issuedAt)
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .sign(key.privateKey);
  return { token, expiresAt };
}

async function verify(token: string, key: VerificationKey, issuer: string, audience: string, what: string): Promise<JWTPayload> {
  try {
    const { payload } = await jwtVerify(token, async (header) => {
      if (header.kid !== undefined && header.kid !== key.kid) throw new TokenError(`The ${what} was signed with an unknown key.`, 'invalid');
      return key.publicKey;
    }, { algorithms: [SIGNING_ALGORITHM], issuer, audience, clockTolerance: CLOCK_TOLERANCE_SECONDS });
    return payload;
  } catch (error) {
    if (error instanceof TokenError) throw error;
    if (error instanceof errors.JWTExpired) throw new TokenError(`The ${what} has expired.`, 'expired');
    throw new TokenError(`The ${what} is not valid.`, 'invalid');
  }
}

export async function verifyAccessToken(token: string, key: VerificationKey): Promise<AccessClaims> {
  const payload = await verify(token, key, ISSUER, ACCESS_AUDIENCE, 'access token');
  const identity = readIdentity(payload);
  if (!identity.userId || !identity.sessionId || typeof payload.exp !== 'number' || typeof payload.iat !== 'number') {
    throw new TokenError('The access token is missing required claims.', 'invalid');
  }
  return { ...identity, userId: identity.userId, sessionId: identity.sessionId, issuedAt: new Date(payload.iat * 1000), expiresAt: new Date(payload.exp * 1000) };
}

export async function signInternalToken(key: SigningKey, identity: Identity, now = new Date()): Promise<string> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  const jwt = new SignJWT(identityClaims(identity))
    .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid: key.kid })
    .setIssuer(GATEWAY_ISSUER)
    .setAudience(INTERNAL_AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + INTERNAL_TOKEN_TTL_SECONDS);
  if (identity.userId) jwt.setSubject(identity.userId);
  return jwt.sign(key.privateKey);
}

export async function verifyInternalToken(token: string, key: VerificationKey): Promise<Identity> {
  return readIdentity(await verify(token, key, GATEWAY_ISSUER, INTERNAL_AUDIENCE, 'internal token'));
}

/** The header the gateway uses to hand its signed identity to subgraphs. */
export const INTERNAL_TOKEN_HEADER = 'x-flowforge-internal-token';

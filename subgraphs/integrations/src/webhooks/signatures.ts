/** Webhook signature checks over the RAW body, constant-time. Pure. */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SLACK_MAX_AGE_SECONDS = 5 * 60;

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Slack: `v0=` + hex HMAC-SHA256(signing secret, `v0:{timestamp}:{raw body}`), timestamp within 5 minutes. */
export function verifySlackSignature(secret: string, timestamp: string | undefined, signature: string | undefined, rawBody: Buffer, nowSeconds = Math.floor(Date.now() / 1000)): { ok: true } | { ok: false; reason: string } {
  if (!timestamp || !signature) return { ok: false, reason: 'Missing X-Slack-Request-Timestamp or X-Slack-Signature.' };
  if (!/^\d+$/.test(timestamp)) return { ok: false, reason: 'Malformed timestamp.' };
  if (Math.abs(nowSeconds - Number(timestamp)) > SLACK_MAX_AGE_SECONDS) return { ok: false, reason: 'Stale timestamp (more than 5 minutes off).' };
  const expected = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(rawBody).digest('hex')}`;
  return safeEqual(expected, signature) ? { ok: true } : { ok: false, reason: 'Signature mismatch.' };
}

export function slackSignature(secret: string, timestamp: number, rawBody: string | Buffer): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(rawBody).digest('hex')}`;
}

/** GitHub: `sha256=` + hex HMAC-SHA256(webhook secret, raw body). */
export function verifyGithubSignature(secret: string, signature: string | undefined, rawBody: Buffer): boolean {
  if (!signature?.startsWith('sha256=')) return false;
  return safeEqual(githubSignature(secret, rawBody), signature);
}

export function githubSignature(secret: string, rawBody: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

/**
 * A local fake of the Slack Web API methods we use (users.profile.get/set, dnd.setSnooze,
 * dnd.endSnooze, auth.test): HTTP 200 with { ok: false, error } for failures as Slack does,
 * invalid_auth for unknown tokens, and 429 + Retry-After injection.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export class FakeSlack {
  url = '';
  readonly tokens = new Map<string, string>(); // token → user id
  readonly profiles = new Map<string, { status_text: string; status_emoji: string; status_expiration: number }>();
  readonly snooze = new Map<string, number | null>(); // user → snooze end (epoch s)
  readonly calls: string[] = [];
  rateLimitNext = 0;
  private server: Server | undefined;

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  addUser(token: string, userId: string, status = { status_text: 'In Berlin', status_emoji: ':flag-de:', status_expiration: 0 }) {
    this.tokens.set(token, userId);
    this.profiles.set(userId, { ...status });
  }

  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const method = new URL(req.url ?? '/', 'http://x').pathname.replace(/^\/api\//, '');
    this.calls.push(method);
    if (this.rateLimitNext > 0) {
      this.rateLimitNext--;
      return this.send(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': '0' });
    }
    const args: Record<string, unknown> = (req.headers['content-type'] ?? '').includes('json') ? (raw ? JSON.parse(raw) : {}) : Object.fromEntries(new URLSearchParams(raw));
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const user = token ? this.tokens.get(token) : undefined;
    if (!user) return this.send(res, 200, { ok: false, error: 'invalid_auth' });
    switch (method) {
      case 'auth.test':
        return this.send(res, 200, { ok: true, user_id: user, team_id: 'T1' });
      case 'users.profile.get':
        return this.send(res, 200, { ok: true, profile: this.profiles.get(user) });
      case 'users.profile.set': {
        const profile = args.profile as Record<string, unknown>;
        this.profiles.set(user, { status_text: String(profile.status_text ?? ''), status_emoji: String(profile.status_emoji ?? ''), status_expiration: Number(profile.status_expiration ?? 0) });
        return this.send(res, 200, { ok: true, profile: this.profiles.get(user) });
      }
      case 'dnd.setSnooze':
        this.snooze.set(user, Math.floor(Date.now() / 1000) + Number(args.num_minutes) * 60);
        return this.send(res, 200, { ok: true, snooze_enabled: true, snooze_endtime: this.snooze.get(user) });
      case 'dnd.endSnooze':
        if (!this.snooze.get(user)) return this.send(res, 200, { ok: false, error: 'snooze_not_active' });
        this.snooze.set(user, null);
        return this.send(res, 200, { ok: true, snooze_enabled: false });
      default:
        return this.send(res, 200, { ok: false, error: 'unknown_method' });
    }
  }
}

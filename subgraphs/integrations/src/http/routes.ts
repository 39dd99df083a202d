/**
 * Routes beside /graphql (no internal token: each authenticates itself):
 * - GET  /oauth/callback/<provider>: the OAuth redirect (state + PKCE verified by OAuthService)
 * - POST /webhooks/<provider>: inbound webhooks/push (signature or channel token verified first);
 *   POST /webhooks/microsoft-teams/lifecycle: Microsoft Graph lifecycle notifications
 * Answers never echo codes, tokens or signatures.
 */
import type { Logger, Route } from '@flowforge/runtime';
import { OAUTH_CALLBACK_PREFIX, providerOfSlug, WEBHOOK_PREFIX } from '../config.js';
import { TEAMS_LIFECYCLE_PATH } from '../providers/microsoft-teams/connector.js';
import type { IntegrationsApp } from '../services/app.js';
import { OAuthError } from '../services/oauth.js';

const MAX_WEBHOOK_BYTES = 1024 * 1024;

function page(title: string, text: string): string {
  const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><meta charset="utf-8"><title>${escape(title)}</title><body style="font-family:sans-serif;max-width:40em;margin:4em auto"><h1>${escape(title)}</h1><p>${escape(text)}</p></body>\n`;
}

export function oauthCallbackRoute(app: () => IntegrationsApp | undefined, log: () => Logger | undefined): Route {
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith(OAUTH_CALLBACK_PREFIX)) return false;
    const send = (status: number, title: string, text: string) => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
      res.end(page(title, text));
      return true;
    };
    if (req.method !== 'GET') return send(405, 'Use GET', 'The OAuth callback is a GET redirect from the provider.');
    const provider = providerOfSlug(url.pathname.slice(OAUTH_CALLBACK_PREFIX.length));
    const services = app();
    if (!provider || !services) return send(404, 'Not found', 'No such provider.');
    try {
      const done = await services.oauth.complete(provider, url);
      services.afterConnect(done.connectionId);
      const next = services.config.returnUrl;
      if (next) {
        res.writeHead(303, { location: `${next}?connected=${encodeURIComponent(provider)}`, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
        res.end();
        return true;
      }
      return send(200, 'Connected', `${provider} is connected to FlowForge. You can close this window.`);
    } catch (error) {
      if (error instanceof OAuthError) return send(error.status, 'Could not connect', error.message);
      log()?.({ level: 'error', msg: 'oauth callback failed', provider, error: error instanceof Error ? error.message : String(error) });
      return send(500, 'Could not connect', 'Something went wrong on our side; it has been logged.');
    }
  };
}

export function webhookRoute(app: () => IntegrationsApp | undefined, log: () => Logger | undefined): Route {
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith(WEBHOOK_PREFIX)) return false;
    const reply = (status: number, body: unknown) => {
      const payload = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload) });
      res.end(payload);
      return true;
    };
    const [slug = '', sub, ...more] = url.pathname.slice(WEBHOOK_PREFIX.length).split('/');
    const provider = providerOfSlug(slug);
    // The one sub-path: Microsoft Graph's lifecycle notification URL (/webhooks/microsoft-teams/lifecycle).
    const pathOk = sub === undefined || (provider === 'MICROSOFT_TEAMS' && sub === TEAMS_LIFECYCLE_PATH && more.length === 0);
    const services = app();
    if (!provider || !services || !pathOk) return reply(404, { error: 'No such webhook.' });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_WEBHOOK_BYTES) return reply(413, { error: 'Body too large.' });
      chunks.push(chunk as Buffer);
    }
    try {
      const answer = await services.webhooks.receive(provider, { method: req.method ?? 'GET', url, headers: req.headers, rawBody: Buffer.concat(chunks) });
      if (answer.contentType && typeof answer.body === 'string') {
        res.writeHead(answer.status, { 'content-type': answer.contentType, 'content-length': Buffer.byteLength(answer.body), 'x-content-type-options': 'nosniff' });
        res.end(answer.body);
        return true;
      }
      return reply(answer.status, answer.body);
    } catch (error) {
      log()?.({ level: 'error', msg: 'webhook failed', provider, error: error instanceof Error ? error.message : String(error) });
      return reply(500, { error: 'Something went wrong on our side; it has been logged.' });
    }
  };
}

/**
 * Google Calendar: full sync bounded by timeMin, then syncToken incremental sync (nextSyncToken comes
 * only on the last page; 410 Gone → full resync), push channels (events.watch, X-Goog-Channel-Token
 * verified before anything else), write-back of focus blocks as busy events.
 */
import { timingSafeEqual } from 'node:crypto';
import { sha256 } from '../../crypto/token-cipher.js';
import type { ProviderHttpClient } from '../../http/request.js';
import type { Connector, ConnectorCall, OAuthConfig, RawWebhookRequest, SyncBatch, WebhookLookup, WebhookVerdict } from '../types.js';
import { GoogleCalendarClient, mapGoogleError, type GoogleEvent } from './client.js';
import { focusBlockEvent } from './mapping.js';

export const PRIMARY = 'primary';

export type GoogleWrite =
  /** externalId: patch that event; null: insert with `clientId` as the event id (idempotent inserts). */
  | { op: 'upsert'; block: { id: string; startsAt: string; endsAt: string }; timeZone: string; externalId: string | null; etag: string | null; clientId: string }
  | { op: 'delete'; externalId: string; ifMatch?: string | null }
  | { op: 'patch'; externalId: string; patch: Partial<GoogleEvent>; ifMatch: string | null };

export interface GoogleConnectorOptions {
  oauth: OAuthConfig | null;
  apiUrl: string;
  syncWindowDays: number;
  pageSize?: number;
  clock?: () => number;
}

const header = (request: RawWebhookRequest, name: string) => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class GoogleCalendarConnector implements Connector<GoogleEvent, GoogleWrite, GoogleEvent | null> {
  readonly provider = 'GOOGLE_CALENDAR' as const;
  readonly oauth: OAuthConfig | null;

  constructor(private readonly options: GoogleConnectorOptions) {
    this.oauth = options.oauth;
  }

  mapError(status: number, body: unknown) {
    return mapGoogleError(status, body);
  }

  client(http: ProviderHttpClient) {
    return new GoogleCalendarClient(http, this.options.apiUrl);
  }

  async identify(call: ConnectorCall): Promise<string | null> {
    // The primary calendar's id is the account's email; one cheap call also proves the token works.
    const list = await this.client(call.http).listEvents(await call.accessToken(), PRIMARY, { maxResults: 1, timeMin: new Date().toISOString() }).catch(() => null);
    return (list as { summary?: string } | null)?.summary ?? null;
  }

  async *fullSync(call: ConnectorCall): AsyncIterable<SyncBatch<GoogleEvent>> {
    const now = this.options.clock?.() ?? Date.now();
    const timeMin = new Date(now - this.options.syncWindowDays * 86_400_000).toISOString();
    yield* this.list(call, { timeMin });
  }

  async *incrementalSync(call: ConnectorCall, cursor: string): AsyncIterable<SyncBatch<GoogleEvent>> {
    // Sync tokens do not combine with timeMin and most filters: only the token and paging.
    yield* this.list(call, { syncToken: cursor });
  }

  private async *list(call: ConnectorCall, params: { timeMin?: string; syncToken?: string }): AsyncIterable<SyncBatch<GoogleEvent>> {
    const client = this.client(call.http);
    let pageToken: string | undefined;
    do {
      const page = await client.listEvents(await call.accessToken(), PRIMARY, { ...params, pageToken, maxResults: this.options.pageSize ?? 250 });
      pageToken = page.nextPageToken;
      // nextSyncToken is only on the last page; a page with both would be a contract violation: keep paging.
      yield { items: page.items ?? [], cursor: pageToken ? null : (page.nextSyncToken ?? null), ...(params.timeMin && { listsEndingAfter: params.timeMin }) };
    } while (pageToken);
  }

  /**
   * Push notification: headers only, no body and no event data ("sync" first, then "exists" /
   * "not_exists"); it means "run an incremental sync now". The channel token is checked against the
   * stored hash before anything else is looked at.
   */
  async handleWebhook(request: RawWebhookRequest, lookup: WebhookLookup): Promise<WebhookVerdict> {
    if (request.method !== 'POST') return { kind: 'rejected', status: 405, reason: 'Push notifications are POSTed.' };
    const channelId = header(request, 'x-goog-channel-id');
    const token = header(request, 'x-goog-channel-token');
    if (!channelId || !token) return { kind: 'rejected', status: 401, reason: 'Missing channel id or token.' };
    const channel = await lookup.channel(channelId);
    if (!channel?.tokenHash || !sameHash(sha256(token), channel.tokenHash)) return { kind: 'rejected', status: 401, reason: 'Unknown channel or wrong channel token.' };
    const resourceId = header(request, 'x-goog-resource-id');
    if (channel.resourceId && resourceId && resourceId !== channel.resourceId) return { kind: 'rejected', status: 401, reason: 'Resource id does not match the channel.' };
    const state = header(request, 'x-goog-resource-state') ?? 'exists';
    const number = header(request, 'x-goog-message-number') ?? '0';
    return { kind: 'accepted', deliveryId: `${channelId}:${number}`, event: state, payload: { channelId, state }, connectionId: channel.connectionId };
  }

  /** One event as it is now at Google (the remote side of a conflict after a 412). */
  async fetchEvent(call: ConnectorCall, externalId: string): Promise<GoogleEvent> {
    return this.client(call.http).getEvent(await call.accessToken(), PRIMARY, externalId);
  }

  async writeBack(call: ConnectorCall, change: GoogleWrite): Promise<GoogleEvent | null> {
    const client = this.client(call.http);
    const token = await call.accessToken();
    if (change.op === 'delete') {
      await client.deleteEvent(token, PRIMARY, change.externalId, change.ifMatch ?? undefined);
      return null;
    }
    if (change.op === 'patch') return client.patchEvent(token, PRIMARY, change.externalId, change.patch, change.ifMatch ?? undefined);
    const body = focusBlockEvent(change.block, change.timeZone);
    if (change.externalId) return client.patchEvent(token, PRIMARY, change.externalId, body);
    return client.insertEvent(token, PRIMARY, { ...body, id: change.clientId });
  }
}

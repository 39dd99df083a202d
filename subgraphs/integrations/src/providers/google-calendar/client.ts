/**
 * A small fetch-based Google Calendar v3 client (base URL configurable: production's
 * https://www.googleapis.com/calendar/v3 or a local fake). Only the calls the connector uses.
 */
import { ProviderError, type ProviderHttpClient } from '../../http/request.js';

export interface GoogleEventDateTime {
  dateTime?: string;
  date?: string;
  timeZone?: string;
}

export interface GoogleEvent {
  id: string;
  etag: string;
  status: 'confirmed' | 'tentative' | 'cancelled';
  summary?: string;
  description?: string;
  start?: GoogleEventDateTime;
  end?: GoogleEventDateTime;
  updated?: string;
  transparency?: 'opaque' | 'transparent';
  recurrence?: string[];
  recurringEventId?: string;
  extendedProperties?: { private?: Record<string, string>; shared?: Record<string, string> };
}

export interface GoogleEventList {
  kind: 'calendar#events';
  etag?: string;
  items: GoogleEvent[];
  nextPageToken?: string;
  nextSyncToken?: string;
  timeZone?: string;
}

export interface GoogleChannel {
  kind: 'api#channel';
  id: string;
  resourceId: string;
  resourceUri?: string;
  token?: string;
  /** Milliseconds since the epoch, as a string. */
  expiration?: string;
}

/** Google's error body: { error: { code, message, errors: [{ reason }] } }. */
export function googleReason(body: unknown): string | null {
  const error = (body as { error?: { errors?: { reason?: string }[]; status?: string } } | null)?.error;
  return error?.errors?.[0]?.reason ?? error?.status ?? null;
}

/** Twenty's taxonomy for Google: 429 / 403 rate limits / 5xx retry; 401 re-auth; 404 not found; 410 full resync. */
export function mapGoogleError(status: number, body: unknown): ProviderError {
  const reason = googleReason(body);
  const message = (body as { error?: { message?: string } } | null)?.error?.message ?? `HTTP ${status}`;
  if (status === 429 || (status === 403 && (reason === 'rateLimitExceeded' || reason === 'userRateLimitExceeded'))) return new ProviderError(message, 'RETRY', status, reason);
  if (status >= 500) return new ProviderError(message, 'RETRY', status, reason);
  if (status === 401) return new ProviderError(message, 'REAUTH', status, reason);
  if (status === 404) return new ProviderError(message, 'NOT_FOUND', status, reason);
  if (status === 410) return new ProviderError(message, 'FULL_RESYNC', status, reason);
  return new ProviderError(message, 'GIVE_UP', status, reason);
}

export class GoogleCalendarClient {
  constructor(private readonly http: ProviderHttpClient, private readonly baseUrl: string) {}

  private url(path: string) {
    return `${this.baseUrl}${path}`;
  }

  listEvents(token: string, calendarId: string, params: { syncToken?: string; timeMin?: string; pageToken?: string; maxResults?: number }): Promise<GoogleEventList> {
    return this.http.request<GoogleEventList>({
      url: this.url(`/calendars/${encodeURIComponent(calendarId)}/events`),
      accessToken: token,
      // singleEvents expands recurring series into instances (each its own item); showDeleted returns cancellations.
      query: { ...params, maxResults: params.maxResults ?? 250, singleEvents: true, showDeleted: true },
    });
  }

  insertEvent(token: string, calendarId: string, event: Partial<GoogleEvent>): Promise<GoogleEvent> {
    return this.http.request<GoogleEvent>({ method: 'POST', url: this.url(`/calendars/${encodeURIComponent(calendarId)}/events`), accessToken: token, body: event });
  }

  patchEvent(token: string, calendarId: string, eventId: string, patch: Partial<GoogleEvent>, ifMatch?: string): Promise<GoogleEvent> {
    return this.http.request<GoogleEvent>({
      method: 'PATCH',
      url: this.url(`/calendars/${encodeURIComponent(calendarId)}/events/${encodeURIComponent(eventId)}`),
      accessToken: token,
      body: patch,
      headers: ifMatch ? { 'if-match': ifMatch } : {},
    });
  }

  getEvent(token: string, calendarId: string, eventId: string): Promise<GoogleEvent> {
    return this.http.request<GoogleEvent>({ url: this.url(`/calendars/${encodeURIComponent(calendarId)}/events/${encodeURIComponent(eventId)}`), accessToken: token });
  }

  /** With `ifMatch`: only if the event still has that etag (412 conditionNotMet otherwise). */
  async deleteEvent(token: string, calendarId: string, eventId: string, ifMatch?: string): Promise<void> {
    await this.http.request({ method: 'DELETE', url: this.url(`/calendars/${encodeURIComponent(calendarId)}/events/${encodeURIComponent(eventId)}`), accessToken: token, headers: ifMatch ? { 'if-match': ifMatch } : {} });
  }

  watch(token: string, calendarId: string, channel: { id: string; address: string; token: string; expiration?: number }): Promise<GoogleChannel> {
    return this.http.request<GoogleChannel>({
      method: 'POST',
      url: this.url(`/calendars/${encodeURIComponent(calendarId)}/events/watch`),
      accessToken: token,
      body: { id: channel.id, type: 'web_hook', address: channel.address, token: channel.token, ...(channel.expiration ? { expiration: String(channel.expiration) } : {}) },
    });
  }

  async stopChannel(token: string, channel: { id: string; resourceId: string }): Promise<void> {
    await this.http.request({ method: 'POST', url: this.url('/channels/stop'), accessToken: token, body: channel });
  }
}

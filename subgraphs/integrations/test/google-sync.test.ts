import { CALENDAR_EVENT_DELETED, CALENDAR_EVENT_UPDATED, createEvent, type CalendarEventChangedData, type CalendarSyncedField } from '@flowforge/events';
import { randomUUID } from 'node:crypto';
import { TokenCipher } from '../src/crypto/token-cipher.js';
import { calendarEventsSynced, IntegrationsEvents, SYNC_BATCH_MAX_BYTES, type CalendarEventsSyncedData, type CalendarSyncItem } from '../src/events/catalog.js';
import type { ProviderCalendarItem } from '../src/providers/google-calendar/mapping.js';
import { mapGoogleError } from '../src/providers/google-calendar/client.js';
import type { IntegrationsApp } from '../src/services/app.js';
import { rotateEncryptionKey } from '../src/services/key-rotation.js';
import { FakeGoogleCalendar } from './fakes/google-calendar.js';
import { eventually, newKek, openHarness, type Harness } from './harness.js';

const EMAIL = 'ada@example.com';

describe('Google Calendar connector and sync engine against the fake', () => {
  let h: Harness;
  let fake: FakeGoogleCalendar;
  const kek = newKek();
  let app: IntegrationsApp;
  const issued: string[] = [];

  beforeAll(async () => {
    h = await openHarness();
    fake = await new FakeGoogleCalendar({ accessTokenTtlSeconds: 3600 }).start();
    app = h.app({ env: { ...fake.env(), INTEGRATIONS_KEK: kek.base64 }, pageSize: 50 });
  });
  afterAll(async () => {
    await h?.close();
    await fake?.stop();
  });

  /** A CONNECTED Google connection with tokens from the fake, stored the way the OAuth callback does. */
  async function connect(email = EMAIL) {
    const tokens = fake.issueTokens(email);
    issued.push(tokens.access_token, tokens.refresh_token);
    const row = await h.db.providerConnection.create({ data: { organizationId: randomUUID(), userId: randomUUID(), provider: 'GOOGLE_CALENDAR', status: 'CONNECTED', scopes: ['https://www.googleapis.com/auth/calendar.events'], externalAccountId: email } });
    await h.db.providerConnection.update({ where: { id: row.id }, data: app.tokens.encryptedColumns(row.id, { accessToken: tokens.access_token, refreshToken: tokens.refresh_token, expiresIn: tokens.expires_in }) });
    return row;
  }

  /** The calendar_events.synced batches published for the connection, in order. */
  const batches = (connectionId: string) => h.published.filter((e) => e.type === IntegrationsEvents.calendarEventsSynced && (e.data as CalendarEventsSyncedData).connectionId === connectionId);
  /** Every delivered change in order: an upsert (item) or a deletion (item null). */
  const delivered = (connectionId: string) => batches(connectionId).flatMap((e) => {
    const data = e.data as CalendarEventsSyncedData;
    return [...data.items.map((item) => ({ externalId: item.externalId, item: item as CalendarSyncItem | null })), ...data.deletedExternalIds.map((externalId) => ({ externalId, item: null }))];
  });

  /** The calendar as the deliveries describe it: externalId → latest item (what calendar would hold). */
  function replay(connectionId: string) {
    const state = new Map<string, CalendarSyncItem>();
    for (const { externalId, item } of delivered(connectionId)) {
      if (item === null) state.delete(externalId);
      else state.set(externalId, item);
    }
    return state;
  }

  /** No (item, etag) delivered twice, and no deletion delivered twice in a row. */
  function expectNoDuplicates(connectionId: string) {
    const seen = new Set<string>();
    const deleted = new Set<string>();
    for (const { externalId, item } of delivered(connectionId)) {
      if (item === null) {
        expect(deleted.has(externalId)).toBe(false);
        deleted.add(externalId);
        continue;
      }
      deleted.delete(externalId);
      const key = `${externalId}@${item.etag}`;
      expect(seen.has(key)).toBe(false);
      seen.add(key);
    }
  }

  it('splits a page into several events only to stay under the size budget, keeping order and one entry per item', () => {
    const connection = { id: randomUUID(), userId: randomUUID(), organizationId: randomUUID() };
    const item = (n: number, cancelled = false): ProviderCalendarItem => ({
      externalId: `ev${n}`, etag: `"${n}"`, updatedAt: new Date().toISOString(), cancelled, title: `Meeting ${n}`, description: 'x'.repeat(400),
      startsAt: new Date(Date.UTC(2030, 0, 1, 9)).toISOString(), endsAt: new Date(Date.UTC(2030, 0, 1, 10)).toISOString(), timezone: 'UTC', allDay: false, startDate: null, endDate: null, busy: true,
    });
    const changes = Array.from({ length: 300 }, (_, i) => ({ item: item(i, i % 10 === 9), previousEtag: i % 2 ? '"old"' : null }));
    expect(calendarEventsSynced(connection, [])).toEqual([]);
    const whole = calendarEventsSynced(connection, changes);
    expect(whole).toHaveLength(1);
    expect((whole[0]!.data.items.length)).toBe(270);
    expect(whole[0]!.data.deletedExternalIds).toHaveLength(30);
    expect(whole[0]!.type).toBe('flowforge.integrations.calendar_events.synced');
    const split = calendarEventsSynced(connection, changes, 20_000);
    expect(split.length).toBeGreaterThan(5);
    for (const e of split) {
      expect(e.subject).toBe(connection.id);
      expect(Buffer.byteLength(JSON.stringify(e.data.items)) + Buffer.byteLength(JSON.stringify(e.data.deletedExternalIds))).toBeLessThanOrEqual(20_000 + 100);
    }
    const flattened = split.flatMap((e) => [...e.data.items.map((i) => i.externalId), ...e.data.deletedExternalIds]);
    expect(new Set(flattened).size).toBe(300);
    // In order within each kind, nothing lost.
    expect(split.flatMap((e) => e.data.items.map((i) => i.externalId))).toEqual(changes.filter((c) => !c.item.cancelled).map((c) => c.item.externalId));
    // A realistic full page (Google's maximum of 2,500 items) stays under ~1 MB per event.
    const big = calendarEventsSynced(connection, Array.from({ length: 2500 }, (_, i) => ({ item: item(i), previousEtag: null })));
    expect(big.length).toBeGreaterThan(1);
    for (const e of big) expect(Buffer.byteLength(JSON.stringify(e))).toBeLessThan(SYNC_BATCH_MAX_BYTES + 10_000);
  });

  it('maps Google errors per the taxonomy', () => {
    expect(mapGoogleError(429, {}).action).toBe('RETRY');
    expect(mapGoogleError(403, { error: { errors: [{ reason: 'rateLimitExceeded' }] } }).action).toBe('RETRY');
    expect(mapGoogleError(403, { error: { errors: [{ reason: 'forbidden' }] } }).action).toBe('GIVE_UP');
    expect(mapGoogleError(503, {}).action).toBe('RETRY');
    expect(mapGoogleError(401, {}).action).toBe('REAUTH');
    expect(mapGoogleError(404, {}).action).toBe('NOT_FOUND');
    expect(mapGoogleError(410, {}).action).toBe('FULL_RESYNC');
  });

  it('full sync pages through everything, stores nextSyncToken from the last page, then syncs incrementally', async () => {
    const connection = await connect();
    const ids = fake.seedEvents(EMAIL, 120);
    const first = await app.engine.sync(connection.id);
    expect(first).toMatchObject({ status: 'SUCCEEDED', mode: 'full', itemsSynced: 120, pages: 3 });
    const row = await h.db.providerConnection.findUniqueOrThrow({ where: { id: connection.id } });
    expect(row.syncCursor).toMatch(/^CP\d+x$/);
    await eventually(() => expect(replay(connection.id).size).toBe(120));
    // One event per fetched page (not per item), keyed by the connection so their order holds.
    const pages = batches(connection.id);
    expect(pages.map((e) => (e.data as CalendarEventsSyncedData).items.length)).toEqual([50, 50, 20]);
    expect(pages.every((e) => e.subject === connection.id && e.tenant === connection.organizationId)).toBe(true);
    expect(pages[0]!.data).toMatchObject({ connectionId: connection.id, userId: connection.userId, organizationId: connection.organizationId, provider: 'GOOGLE_CALENDAR', source: 'GOOGLE', deletedExternalIds: [] });
    expect((pages[0]!.data as CalendarEventsSyncedData).items[0]).toMatchObject({ previousEtag: null });
    expect((pages[0]!.data as CalendarEventsSyncedData).items[0]).not.toHaveProperty('cancelled');

    fake.updateEvent(EMAIL, ids[0]!, { summary: 'Moved' });
    fake.deleteEvent(EMAIL, ids[1]!);
    const second = await app.engine.sync(connection.id);
    expect(second).toMatchObject({ status: 'SUCCEEDED', mode: 'incremental', itemsSynced: 2, pages: 1 });
    await eventually(() => {
      const state = replay(connection.id);
      expect(state.size).toBe(119);
      expect(state.get(ids[0]!)?.title).toBe('Moved');
    });
    // The incremental page: one event with the edit (carrying the etag delivered before) and the deletion.
    const last = batches(connection.id).at(-1)!.data as CalendarEventsSyncedData;
    expect(last.items.map((i) => i.externalId)).toEqual([ids[0]]);
    expect(last.items[0]!.previousEtag).toEqual(expect.any(String));
    expect(last.deletedExternalIds).toEqual([ids[1]]);
    const logs = await h.db.integrationSyncLog.findMany({ where: { connectionId: connection.id }, orderBy: { startedAt: 'asc' } });
    expect(logs.map((l) => [l.status, l.itemsSynced])).toEqual([['SUCCEEDED', 120], ['SUCCEEDED', 2]]);
    expect(logs.every((l) => typeof l.durationMs === 'number')).toBe(true);
  });

  it('an expired sync token (410) clears the cursor and runs a full resync, catching deletions it missed', async () => {
    const connection = await connect('grace@example.com');
    const ids = fake.seedEvents('grace@example.com', 30);
    await app.engine.sync(connection.id);
    fake.deleteEvent('grace@example.com', ids[5]!);
    fake.updateEvent('grace@example.com', ids[6]!, { summary: 'Changed while the token was stale' });
    fake.expireSyncTokens();
    // A cancelled event that falls out of a full listing's window is also a deletion: simulate by purging it.
    const outcome = await app.engine.sync(connection.id);
    expect(outcome).toMatchObject({ status: 'SUCCEEDED', mode: 'full', fullResync: true });
    await eventually(() => {
      const state = replay(connection.id);
      expect(state.size).toBe(29);
      expect(state.has(ids[5]!)).toBe(false);
      expect(state.get(ids[6]!)?.title).toBe('Changed while the token was stale');
    });
    // The resync delivered only what changed: no duplicates of the 28 unchanged events.
    expectNoDuplicates(connection.id);
    expect((await h.db.providerConnection.findUniqueOrThrow({ where: { id: connection.id } })).syncCursor).toMatch(/^CP/);
  });

  it('the sweep after a resync keeps events that ended before the resync\'s window (not listed, not deleted)', async () => {
    const email = 'window@example.com';
    const connection = await connect(email);
    const day = 86_400_000;
    const [old] = fake.seedEvents(email, 1, new Date(Date.now() - 100 * day), 'Old review');
    const [recent, deletedMeanwhile] = fake.seedEvents(email, 2, new Date(Date.now() - 5 * day), 'Recent');
    // Synced while the window (120 days) still reached the old event.
    const wide = h.app({ env: { ...fake.env(), INTEGRATIONS_KEK: kek.base64, GOOGLE_SYNC_WINDOW_DAYS: '120' }, pageSize: 50 });
    await wide.engine.sync(connection.id);
    await eventually(() => expect([...replay(connection.id).keys()].sort()).toEqual([old!, recent!, deletedMeanwhile!].sort()));
    // Later the token expires and the resync lists only the last 30 days; one recent event was deleted meanwhile.
    fake.deleteEvent(email, deletedMeanwhile!);
    fake.expireSyncTokens();
    const narrow = h.app({ env: { ...fake.env(), INTEGRATIONS_KEK: kek.base64, GOOGLE_SYNC_WINDOW_DAYS: '30' }, pageSize: 50 });
    expect(await narrow.engine.sync(connection.id)).toMatchObject({ status: 'SUCCEEDED', fullResync: true });
    await eventually(() => expect([...replay(connection.id).keys()].sort()).toEqual([old!, recent!].sort()));
    const rows = await h.db.syncedItem.findMany({ where: { connectionId: connection.id }, orderBy: { externalId: 'asc' } });
    expect(rows.filter((r) => r.deleted).map((r) => r.externalId)).toEqual([deletedMeanwhile]);
    expect(rows.every((r) => r.remoteEndsAt instanceof Date)).toBe(true);
  });

  it('with 5% transient failures (429, 403 rateLimitExceeded, 5xx, timeouts) sync succeeds > 99.5%, no duplicate, no lost item', async () => {
    const email = 'faults@example.com';
    const faulty = h.app({ env: { ...fake.env(), INTEGRATIONS_KEK: kek.base64 }, pageSize: 50, retry: { baseDelayMs: 2, maxDelayMs: 20, timeoutMs: 250 } });
    const connection = await (async () => {
      const tokens = fake.issueTokens(email);
      issued.push(tokens.access_token, tokens.refresh_token);
      const row = await h.db.providerConnection.create({ data: { organizationId: randomUUID(), userId: randomUUID(), provider: 'GOOGLE_CALENDAR', status: 'CONNECTED', externalAccountId: email } });
      await h.db.providerConnection.update({ where: { id: row.id }, data: faulty.tokens.encryptedColumns(row.id, { accessToken: tokens.access_token, refreshToken: tokens.refresh_token, expiresIn: 3600 }) });
      return row;
    })();
    const ids = fake.seedEvents(email, 500);
    fake.resetStats();
    // Seeded, so every run injects the same faults (the count asserted below cannot come out short by chance).
    fake.fault = { rate: 0.05, retryAfterSeconds: 0, holdMs: 600, includeToken: false, random: seededRandom(20261127) };
    let runs = 0;
    let ok = 0;
    try {
      const first = await faulty.engine.sync(connection.id);
      runs++;
      if (first.status === 'SUCCEEDED') ok++;
      for (let round = 0; round < 200; round++) {
        const changed = ids[(round * 7) % ids.length]!;
        if (round % 10 === 9) fake.deleteEvent(email, changed);
        else if (fake.events(email).some((e) => e.id === changed)) fake.updateEvent(email, changed, { summary: `Round ${round}` });
        if (round % 25 === 0) fake.seedEvents(email, 3, new Date(Date.now() + 40 * 86_400_000), `New ${round}`);
        const outcome = await faulty.engine.sync(connection.id);
        runs++;
        if (outcome.status === 'SUCCEEDED') ok++;
      }
    } finally {
      fake.fault = { rate: 0 };
    }
    expect(fake.stats.faults).toBeGreaterThan(5);
    expect(ok / runs).toBeGreaterThan(0.995);
    const truth = new Map(fake.events(email).map((e) => [e.id, e]));
    await eventually(() => {
      const state = replay(connection.id);
      expect(state.size).toBe(truth.size); // nothing lost, nothing left over
      for (const [id, event] of truth) expect(state.get(id)?.etag).toBe(event.etag);
    }, 20_000);
    // No duplicates: each (item, etag) delivered at most once.
    expectNoDuplicates(connection.id);
  }, 120_000);

  it('refreshes before expiry and stores the rotated refresh token; invalid_grant marks NEEDS_REAUTH and tells the user', async () => {
    const connection = await connect('refresh@example.com');
    fake.seedEvents('refresh@example.com', 3);
    const before = await h.db.providerConnection.findUniqueOrThrow({ where: { id: connection.id } });
    // Expire it locally (and at the fake): the next call must refresh first.
    await h.db.providerConnection.update({ where: { id: connection.id }, data: { tokenExpiresAt: new Date(Date.now() + 30_000) } });
    fake.expireAccessTokens();
    expect((await app.engine.sync(connection.id)).status).toBe('SUCCEEDED');
    const after = await h.db.providerConnection.findUniqueOrThrow({ where: { id: connection.id } });
    expect(Buffer.from(after.refreshTokenCiphertext!).equals(Buffer.from(before.refreshTokenCiphertext!))).toBe(false);
    expect(after.tokenExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 3_000_000);

    fake.revokeGrant('refresh@example.com');
    await h.db.providerConnection.update({ where: { id: connection.id }, data: { tokenExpiresAt: new Date(0) } });
    const outcome = await app.engine.sync(connection.id);
    expect(outcome.status).toBe('FAILED');
    expect((await h.db.providerConnection.findUniqueOrThrow({ where: { id: connection.id } })).status).toBe('NEEDS_REAUTH');
    await eventually(() => expect(h.published.some((e) => e.type === IntegrationsEvents.syncStatusChanged && (e.data as { connectionId: string; status: string }).connectionId === connection.id && (e.data as { status: string }).status === 'NEEDS_REAUTH')).toBe(true));
  });

  it('stores tokens unreadably, bound to their row, and rotates the key-encryption key without downtime', async () => {
    const connection = await connect('rotate@example.com');
    const token = issued.at(-2)!;
    const [raw] = await h.database.query<{ a: Uint8Array; r: Uint8Array; v: number }>('select access_token_ciphertext as a, refresh_token_ciphertext as r, token_key_version as v from provider_integrations where id = $1', [connection.id]);
    const bytes = Buffer.concat([Buffer.from(raw!.a), Buffer.from(raw!.r)]);
    expect(bytes.includes(Buffer.from(token))).toBe(false);
    expect(bytes.toString('base64').includes(token)).toBe(false);
    expect(raw!.v).toBe(kek.version);
    // Copied to another row, the ciphertext does not decrypt (GCM additional data binds it).
    expect(() => app.cipher.decrypt(raw!.a, raw!.v, `${randomUUID()}:access`)).toThrow();

    // Rotation: new KEK current, old one still readable while rows are re-wrapped.
    const next = newKek();
    const rotated = h.app({ env: { ...fake.env(), INTEGRATIONS_KEK: next.base64, INTEGRATIONS_KEK_PREVIOUS: kek.base64 } });
    expect(await rotated.tokens.accessToken(connection.id)).toBe(token); // readable before re-wrapping
    // The operator command's service function (pnpm integrations:rotate-key calls the same one).
    const progress: { done: number; total: number }[] = [];
    const result = await rotateEncryptionKey(h.db, rotated.cipher, { batchSize: 2, onProgress: (p) => progress.push({ done: p.done, total: p.total }) });
    expect(result.keyVersion).toBe(next.version);
    expect(result.rewrapped).toBeGreaterThanOrEqual(1);
    expect(result.failures).toEqual([]);
    expect(result.remaining).toBe(0);
    expect(progress.at(-1)).toEqual({ done: result.connections + result.oauthStates, total: result.connections + result.oauthStates });
    expect(progress.length).toBeGreaterThan(1);
    expect(await rotated.tokens.accessToken(connection.id)).toBe(token); // readable after re-wrapping
    // Run again: nothing left to do.
    expect(await rotateEncryptionKey(h.db, rotated.cipher)).toMatchObject({ connections: 0, rewrapped: 0, remaining: 0 });
    const [rewrapped] = await h.database.query<{ v: number }>('select token_key_version as v from provider_integrations where id = $1', [connection.id]);
    expect(rewrapped!.v).toBe(next.version);
    // Only the new key is needed now; the old one alone can no longer read it.
    const onlyNew = new TokenCipher({ version: next.version, key: next.key });
    const row = await h.db.providerConnection.findUniqueOrThrow({ where: { id: connection.id } });
    expect(onlyNew.decrypt(row.accessTokenCiphertext!, row.tokenKeyVersion!, `${connection.id}:access`)).toBe(token);
    expect(() => new TokenCipher({ version: kek.version, key: kek.key }).decrypt(row.accessTokenCiphertext!, row.tokenKeyVersion!, `${connection.id}:access`)).toThrow();
  });

  it('push notifications: the channel token is verified before anything else, then an incremental sync runs', async () => {
    const connection = await connect('push@example.com');
    fake.seedEvents('push@example.com', 2);
    await app.engine.sync(connection.id);
    // Point the channel at nowhere (no HTTP server here): we call receive() as the route would.
    await app.push.ensure(connection.id);
    const row = await h.db.providerConnection.findUniqueOrThrow({ where: { id: connection.id } });
    expect(row.channelId).toBeTruthy();
    expect(row.channelTokenHash).toMatch(/^[0-9a-f]{64}$/);
    const channel = fake.channels('push@example.com')[0]!;
    const request = (token: string | undefined, number: string) => ({
      method: 'POST', url: new URL('http://x/webhooks/google-calendar'), rawBody: Buffer.alloc(0),
      headers: { 'x-goog-channel-id': channel.id, ...(token ? { 'x-goog-channel-token': token } : {}), 'x-goog-resource-id': channel.resourceId, 'x-goog-resource-state': 'exists', 'x-goog-message-number': number },
    });
    expect((await app.webhooks.receive('GOOGLE_CALENDAR', request('wrong', '10'))).status).toBe(401);
    expect((await app.webhooks.receive('GOOGLE_CALENDAR', request(undefined, '10'))).status).toBe(401);
    expect(await app.webhooks.receive('GOOGLE_CALENDAR', request(channel.token, '10'))).toEqual({ status: 200, body: { ok: true } });
    expect(await app.webhooks.receive('GOOGLE_CALENDAR', request(channel.token, '10'))).toEqual({ status: 200, body: { ok: true, duplicate: true } });
    await app.subscribe();
    fake.seedEvents('push@example.com', 1, new Date(Date.now() + 5 * 86_400_000), 'Pushed');
    expect((await app.webhooks.receive('GOOGLE_CALENDAR', request(channel.token, '11'))).status).toBe(200);
    await eventually(() => expect([...replay(connection.id).values()].some((i) => i.title === 'Pushed 1')).toBe(true));
    // Renewal only close to expiry; stop ends the channel at Google.
    expect(await app.push.ensure(connection.id)).toBe(false);
    await app.push.stop(connection.id);
    expect(fake.channels('push@example.com')).toHaveLength(0);
  });

  it('pushes local edits and deletions of Google events (If-Match), hands a 412 to the merge, and never echoes its own writes', async () => {
    const email = 'local-edits@example.com';
    const connection = await connect(email);
    const [a, b, c, d] = fake.seedEvents(email, 4);
    await app.engine.sync(connection.id);
    await eventually(() => expect(replay(connection.id).size).toBe(4));
    const base = new Map(replay(connection.id));
    const eventIds = new Map([a, b, c, d].map((id) => [id!, randomUUID()]));
    const change = (externalId: string, type: string, sequence: number, fields: CalendarSyncedField[], over: Partial<CalendarEventChangedData> = {}) => {
      const item = base.get(externalId)!;
      return createEvent<CalendarEventChangedData>({
        domain: 'calendar', type, subject: eventIds.get(externalId)!, tenant: connection.organizationId,
        data: {
          eventId: eventIds.get(externalId)!, calendarId: randomUUID(), userId: connection.userId, organizationId: connection.organizationId,
          title: item.title, description: item.description, startsAt: item.startsAt, endsAt: item.endsAt, timezone: item.timezone, allDay: false, startDate: null, endDate: null, busy: true,
          recurrence: null, recurringEventId: null, originalStartsAt: null, etag: `local-${sequence}`, sequence, deleted: type === CALENDAR_EVENT_DELETED,
          source: 'GOOGLE', externalId, connectionId: connection.id, providerEtag: item.etag, changedFields: fields, fromProviderSync: false, ...over,
        },
      });
    };
    const deliveriesOf = (externalId: string) => delivered(connection.id).filter((x) => x.externalId === externalId);

    // An ordinary local edit: only the changed fields, If-Match the version it was made on.
    const startsAt = new Date(Date.parse(base.get(a!)!.startsAt) + 3_600_000).toISOString();
    const endsAt = new Date(Date.parse(startsAt) + 1_800_000).toISOString();
    const edit = change(a!, CALENDAR_EVENT_UPDATED, 1, ['title', 'startsAt', 'endsAt'], { title: 'Edited in FlowForge', startsAt, endsAt });
    expect(await app.bridge.pushLocalChange(edit)).toBe('pushed');
    const atGoogle = fake.events(email).find((e) => e.id === a)!;
    expect(atGoogle).toMatchObject({ summary: 'Edited in FlowForge', start: { dateTime: startsAt }, end: { dateTime: endsAt } });
    // Calendar adopts Google's etag for its version (previousEtag = the edit's etag).
    await eventually(() => expect(deliveriesOf(a!).at(-1)!.item).toMatchObject({ etag: atGoogle.etag, previousEtag: 'local-1', title: 'Edited in FlowForge' }));
    const synced = await h.db.syncedItem.findUniqueOrThrow({ where: { connectionId_externalId: { connectionId: connection.id, externalId: a! } } });
    expect(synced).toMatchObject({ etag: atGoogle.etag, pushedEtag: atGoogle.etag, pushedSequence: 1 });
    // Redelivered, older, or the provider's own change: nothing is pushed.
    expect(await app.bridge.pushLocalChange(edit)).toBe('skipped');
    expect(await app.bridge.pushLocalChange(change(a!, CALENDAR_EVENT_UPDATED, 2, ['title'], { title: 'From Google', fromProviderSync: true }))).toBe('skipped');
    expect(fake.events(email).find((e) => e.id === a)!.etag).toBe(atGoogle.etag);
    // A second edit made before calendar adopted the first (its base is still the old etag) builds on our own write.
    expect(await app.bridge.pushLocalChange(change(a!, CALENDAR_EVENT_UPDATED, 3, ['description'], { description: 'Agenda' }))).toBe('pushed');
    expect(fake.events(email).find((e) => e.id === a)).toMatchObject({ summary: 'Edited in FlowForge', description: 'Agenda' });

    // A deletion.
    expect(await app.bridge.pushLocalChange(change(c!, CALENDAR_EVENT_DELETED, 1, []))).toBe('deleted');
    expect(fake.events(email).map((e) => e.id)).not.toContain(c);
    expect(await app.bridge.pushLocalChange(change(c!, CALENDAR_EVENT_DELETED, 1, []))).toBe('skipped');

    // Racing a remote edit: 412, nothing overwritten; Google's version goes to calendar to be merged.
    const remote = fake.updateEvent(email, b!, { summary: 'Edited in Google' });
    expect(await app.bridge.pushLocalChange(change(b!, CALENDAR_EVENT_UPDATED, 1, ['title'], { title: 'Edited here too' }))).toBe('merged');
    expect(fake.events(email).find((e) => e.id === b)!.summary).toBe('Edited in Google');
    await eventually(() => expect(deliveriesOf(b!).at(-1)!.item).toMatchObject({ etag: remote.etag, previousEtag: base.get(b!)!.etag, title: 'Edited in Google' }));
    // What remains of the local edit after the merge comes back (calendar, fromProviderSync false, base = the remote version) and is pushed.
    expect(await app.bridge.pushLocalChange(change(b!, CALENDAR_EVENT_UPDATED, 2, ['title'], { title: 'Merged', providerEtag: remote.etag }))).toBe('pushed');
    expect(fake.events(email).find((e) => e.id === b)!.summary).toBe('Merged');

    // A deletion racing a remote edit keeps Google's version and records a REMOTE conflict.
    const remoteD = fake.updateEvent(email, d!, { summary: 'Moved in Google' });
    expect(await app.bridge.pushLocalChange(change(d!, CALENDAR_EVENT_DELETED, 1, []))).toBe('merged');
    expect(fake.events(email).find((e) => e.id === d)!.summary).toBe('Moved in Google');
    await eventually(() => expect(deliveriesOf(d!).at(-1)!.item).toMatchObject({ etag: remoteD.etag, title: 'Moved in Google' }));
    const conflicts = await h.db.integrationConflict.findMany({ where: { connectionId: connection.id } });
    expect(conflicts).toEqual([expect.objectContaining({ externalId: d, winner: 'REMOTE', fields: ['deleted'], localId: eventIds.get(d!) })]);

    // No echo: the next incremental sync delivers none of our own writes again.
    await eventually(() => expect(deliveriesOf(b!).at(-1)!.item).toMatchObject({ title: 'Merged', previousEtag: 'local-2' }));
    const before = delivered(connection.id).length;
    const outcome = await app.engine.sync(connection.id);
    expect(outcome).toMatchObject({ status: 'SUCCEEDED', mode: 'incremental', itemsSynced: 0 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(delivered(connection.id)).toHaveLength(before);
    expectNoDuplicates(connection.id);
  });

  it('never logs a token', () => {
    const text = JSON.stringify(h.logs);
    expect(issued.length).toBeGreaterThan(5);
    for (const token of issued) expect(text.includes(token)).toBe(false);
    expect(text).toContain('access token refreshed');
  });
});

/** mulberry32: a small deterministic generator for reproducible fault injection. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// `pnpm bench sync`: Google Calendar sync against the local fake, through the BUILT product:
//   1. initial (full) sync of 10,000 events after connecting via OAuth (authorization code + PKCE),
//   2. an incremental sync of 100 changes (80 edits, 20 deletions) via syncToken,
// each timed at the integrations side (the sync run, from integration_sync_logs) and end to end
// (until the last event is visible in the calendar subgraph through the gateway), with the provider
// calls used. Writes bench/results/sync-<timestamp>.json and sync-latest.json.
//
// Env: BENCH_SYNC_EVENTS (default 10000), BENCH_SYNC_CHANGES (default 100), BENCH_SYNC_PAGE (page size: the
// connector asks for 250, Google's default maximum is 2500).
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import { gqlOk, signUp, startStackProcess } from '../packages/testing/dist/index.js';

export const description = 'Google Calendar sync against the fake: initial 10,000 events, then 100 incremental changes (time, provider calls)';

const PORT_BASE = 17200;
const EVENTS = Number(process.env.BENCH_SYNC_EVENTS ?? 10_000);
const CHANGES = Number(process.env.BENCH_SYNC_CHANGES ?? 100);
const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));
const FAKE_SRC = fileURLToPath(new URL('../subgraphs/integrations/test/fakes/google-calendar.ts', import.meta.url));
const progress = (message) => process.stderr.write(`${message}\n`);

async function loadFake() {
  const dir = mkdtempSync(join(tmpdir(), 'flowforge-bench-'));
  const outfile = join(dir, 'google-calendar.mjs');
  await build({ entryPoints: [FAKE_SRC], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning' });
  const module = await import(pathToFileURL(outfile).href);
  return { FakeGoogleCalendar: module.FakeGoogleCalendar, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

async function waitFor(check, timeoutMs, intervalMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await check();
    if (result) return result;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

const apiCalls = (fake) => Object.fromEntries([...fake.stats.byRoute.entries()].filter(([route]) => !route.includes('authorize')));
const callTotal = (calls) => Object.values(calls).reduce((a, b) => a + b, 0);

export async function run() {
  const { FakeGoogleCalendar, cleanup } = await loadFake();
  // The public origin of /oauth/callback/ and /webhooks/ is the gateway, which proxies them to integrations.
  const publicOrigin = `http://127.0.0.1:${PORT_BASE}`;
  const email = 'bench@example.com';
  const fake = await new FakeGoogleCalendar({ redirectUris: [`${publicOrigin}/oauth/callback/google-calendar`], approveAs: email }).start();
  progress(`fake Google on ${fake.url}; starting the stack on ${PORT_BASE}...`);
  const stack = await startStackProcess({
    portBase: PORT_BASE,
    embedded: true,
    env: {
      ...fake.env(), INTEGRATIONS_PUBLIC_URL: publicOrigin, INTEGRATIONS_KEK: randomBytes(32).toString('base64'),
      RATE_LIMIT_USER_BURST: '1000000', RATE_LIMIT_USER_PER_MINUTE: '1000000',
    },
  });
  const url = stack.gatewayUrl;
  try {
    const user = await signUp({ timezone: 'UTC', url });
    user.accessToken = (await gqlOk('mutation { createOrganization(input: { name: "Bench" }) { accessToken } }', {}, user.accessToken, url)).createOrganization.accessToken;
    const q = (query, variables = {}) => gqlOk(query, variables, user.accessToken, url);

    const from = new Date(Date.now() + 86_400_000);
    const spacing = 5 * 60_000;
    const ids = fake.seedEvents(email, EVENTS, from, 'Meeting', spacing);
    const lastStart = new Date(from.getTime() + (EVENTS - 1) * spacing);
    fake.pushEnabled = false; // measure the sync runs themselves, not push-triggered extra runs
    fake.resetStats();

    // ---- initial sync ----
    const started = Date.now();
    const { connectProvider } = await q('mutation { connectProvider(provider: GOOGLE_CALENDAR) { authorizationUrl connection { id } } }');
    const consent = await fetch(connectProvider.authorizationUrl, { redirect: 'manual' });
    const callback = await fetch(consent.headers.get('location'));
    if (callback.status !== 200) throw new Error(`OAuth callback answered ${callback.status}`);
    const connectionId = connectProvider.connection.id;
    const logs = async () => (await q('query { me { providerConnections { id syncLogs(first: 5) { status itemsSynced durationMs } } } }')).me.providerConnections.find((c) => c.id === connectionId).syncLogs;
    const initialLog = await waitFor(async () => (await logs()).find((l) => l.status !== 'RUNNING' && l.itemsSynced > 0), 300_000, 250);
    const initialSyncedAt = Date.now();
    const visible = async (start) => (await q('query($from: DateTime!, $to: DateTime!) { me { calendarEvents(from: $from, to: $to) { title event { source } } } }', { from: new Date(start.getTime() - 1).toISOString(), to: new Date(start.getTime() + 60_000).toISOString() })).me.calendarEvents.some((e) => e.event.source === 'GOOGLE');
    await waitFor(() => visible(lastStart), 600_000, 500);
    const initialVisibleAt = Date.now();
    const initialCalls = apiCalls(fake);
    progress(`initial: ${initialLog.itemsSynced} events, sync run ${initialLog.durationMs} ms, visible in calendar after ${initialVisibleAt - started} ms`);

    // ---- incremental sync of CHANGES changes ----
    fake.resetStats();
    const deletions = Math.round(CHANGES / 5);
    const changed = ids.slice(0, CHANGES);
    changed.forEach((id, i) => (i < deletions ? fake.deleteEvent(email, id) : fake.updateEvent(email, id, { summary: `Changed ${i}` })));
    const lastEdited = new Date(from.getTime() + (CHANGES - 1) * spacing);
    const incStarted = Date.now();
    await q('mutation($id: ID!) { syncProviderConnection(id: $id) { id } }', { id: connectionId });
    const incSyncedAt = Date.now();
    const incLog = (await logs())[0];
    await waitFor(async () => (await q('query($from: DateTime!, $to: DateTime!) { me { calendarEvents(from: $from, to: $to) { title } } }', { from: new Date(lastEdited.getTime() - 1).toISOString(), to: new Date(lastEdited.getTime() + 60_000).toISOString() })).me.calendarEvents.some((e) => e.title === `Changed ${CHANGES - 1}`), 120_000, 100);
    const incVisibleAt = Date.now();
    const incCalls = apiCalls(fake);

    const rows = [
      { phase: `initial full sync (${EVENTS} events)`, items: initialLog.itemsSynced, syncRunMs: initialLog.durationMs, endToEndMs: initialVisibleAt - started, apiCalls: callTotal(initialCalls) },
      { phase: `incremental sync (${CHANGES} changes)`, items: incLog.itemsSynced, syncRunMs: incLog.durationMs, endToEndMs: incVisibleAt - incStarted, apiCalls: callTotal(incCalls) },
    ];
    console.log('\nGoogle Calendar sync against the local fake (embedded stack, PGlite, in-process bus)\n');
    console.log(`${'phase'.padEnd(38)} ${'items'.padStart(7)} ${'sync run ms'.padStart(12)} ${'to calendar ms'.padStart(15)} ${'provider calls'.padStart(15)}`);
    for (const r of rows) console.log(`${r.phase.padEnd(38)} ${String(r.items).padStart(7)} ${String(r.syncRunMs).padStart(12)} ${String(r.endToEndMs).padStart(15)} ${String(r.apiCalls).padStart(15)}`);
    console.log(`\nprovider calls, initial: ${JSON.stringify(initialCalls)}; incremental: ${JSON.stringify(incCalls)}`);
    console.log(`"sync run" = integration_sync_logs.duration_ms (provider paging + delta tracking + outbox); "to calendar" = from connectProvider / syncProviderConnection until the last item is readable via the gateway (relay + calendar consumer).`);

    const report = {
      bench: 'sync', at: new Date().toISOString(), machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
      config: { events: EVENTS, changes: CHANGES, deletions, pageSize: 250, mode: 'embedded (PGlite), in-process bus (not production: oauth4webapi refuses plain-http token endpoints there, and the fake is plain http)' },
      results: rows, providerCalls: { initial: initialCalls, incremental: incCalls }, incrementalSyncCallMs: incSyncedAt - incStarted, initialSyncedAfterMs: initialSyncedAt - started,
    };
    mkdirSync(RESULTS_DIR, { recursive: true });
    const stamp = report.at.replace(/[:.]/g, '-');
    writeFileSync(join(RESULTS_DIR, `sync-${stamp}.json`), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(RESULTS_DIR, 'sync-latest.json'), `${JSON.stringify(report, null, 2)}\n`);
    progress(`wrote bench/results/sync-${stamp}.json`);
  } finally {
    await stack.stop();
    await fake.stop();
    cleanup();
  }
}

// `pnpm bench subscriptions`: graphql-ws subscriptions on ONE gateway process.
//   - connections held (aim: 10,000), each with one subscription, on loopback;
//   - publish-to-delivery latency p50/p99 at 1,000 and 10,000 subscribers (target p99 < 250 ms at 1,000);
//   - gateway heap per subscriber after a full GC (target < 20 KB).
// Setup: the BUILT embedded stack (subgraphs) at port base 18000, and the gateway under test in a
// child process (bench/lib/subscriptions-gateway.mjs, NODE_ENV=production, --expose-gc) with an
// in-process bus the bench publishes into over IPC. Subscribers: SUBSCRIBER_IDENTITIES users of one
// organization (an ADMIN and MANAGERs) all following the ADMIN's focus session with
//   focusSessionChanged(userId) { id state actualMinutes user { name } }
// so each event runs one execution per identity (focus + orgs, through the query planner) and is
// fanned out to every subscriber of that identity. Latency = publish (IPC send) to the message being
// parsed by the client, over every delivery of every event.
//
// File descriptors: the bench process holds one socket per subscriber and the gateway the other
// end, so each process needs about 10,100 descriptors. `ulimit -n` must be at least that (checked
// below: a process cannot raise its own hard limit; run `ulimit -n 20000` in the shell if needed).
// Env: BENCH_SUBSCRIBERS (default "1000,10000"), BENCH_EVENTS (default 20 per level).
import { fork, execSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, platform, arch, release, totalmem, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { gqlOk, signUp, startStackProcess } from '../packages/testing/dist/index.js';

const WebSocket = createRequire(fileURLToPath(new URL('../gateway/package.json', import.meta.url)))('ws');

export const description = 'graphql-ws subscriptions on one gateway: connections held, publish-to-delivery p50/p99 at 1k and 10k subscribers, heap per subscriber';

const PORT_BASE = 18000;
const GATEWAY_PORT = 18100;
const LEVELS = (process.env.BENCH_SUBSCRIBERS ?? '1000,10000').split(',').map(Number);
const EVENTS_PER_LEVEL = Number(process.env.BENCH_EVENTS ?? 20);
const SUBSCRIBER_IDENTITIES = 5;
const CONNECT_BATCH = 250;
const DELIVERY_TIMEOUT_MS = 10_000;
const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));
const GATEWAY_MAIN = fileURLToPath(new URL('./lib/subscriptions-gateway.mjs', import.meta.url));
const QUERY = 'subscription Follow($userId: ID) { focusSessionChanged(userId: $userId) { id state actualMinutes user { name } } }';
const TARGETS = { p99MsAt1000: 250, heapBytesPerSubscriber: 20 * 1024 };

const progress = (message) => process.stderr.write(`${message}\n`);
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

function startGatewayChild(dataDir) {
  const child = fork(GATEWAY_MAIN, [JSON.stringify({ port: GATEWAY_PORT, portBase: PORT_BASE, dataDir })], {
    env: { ...process.env, NODE_ENV: 'production', RATE_LIMIT_USER_BURST: '1000000000', RATE_LIMIT_USER_PER_MINUTE: '1000000000' },
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const request = (message, replyType, timeoutMs = 30_000) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`gateway child: no ${replyType} in ${timeoutMs} ms\n${output.slice(-3000)}`)), timeoutMs);
    const onMessage = (reply) => {
      if (reply?.type === replyType) done(null, reply);
      else if (reply?.type === 'failed') done(new Error(`gateway child failed:\n${reply.error}`));
    };
    const onExit = (code) => done(new Error(`gateway child exited (${code}):\n${output.slice(-3000)}`));
    function done(error, reply) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error); else resolve(reply);
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
    if (message) child.send(message);
  });
  return {
    ready: request(null, 'ready', 60_000),
    publish: (event) => { child.send({ type: 'publish', event }); },
    stats: () => request({ type: 'stats' }, 'stats'),
    output: () => output,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
    }),
  };
}

/** One raw graphql-transport-ws client: connection_init, subscribe, then every `next` timestamps a delivery. */
function openSubscriber(url, token, variables, onNext) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, 'graphql-transport-ws', { perMessageDeflate: false });
    const timer = setTimeout(() => { socket.terminate(); reject(new Error('subscriber: no connection_ack within 30 s')); }, 30_000);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
    socket.on('message', (data) => {
      const message = JSON.parse(data);
      if (message.type === 'connection_ack') {
        socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: QUERY, variables } }));
        clearTimeout(timer);
        resolve(socket);
      } else if (message.type === 'next') {
        onNext(message.payload);
      } else if (message.type === 'error') {
        reject(new Error(`subscribe error: ${JSON.stringify(message.payload)}`));
      } else if (message.type === 'ping') {
        socket.send(JSON.stringify({ type: 'pong' }));
      }
    });
    socket.on('error', (error) => { clearTimeout(timer); reject(error); });
    socket.on('close', (code, reason) => { if (code !== 1000 && code !== 1001 && code !== 1005 && code !== 1006) progress(`  subscriber closed: ${code} ${reason}`); });
  });
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function printTable(rows) {
  const header = ['subscribers', 'connections held', 'events', 'deliveries', 'missing', 'p50 ms', 'p99 ms', 'max ms', 'executions/event', 'heap/sub KB', 'rss MiB'];
  const lines = rows.map((row) => [row.subscribers, row.connectionsHeld, row.events, row.deliveries, row.missing, row.latencyMs.p50?.toFixed(1), row.latencyMs.p99?.toFixed(1), row.latencyMs.max?.toFixed(1), row.executionsPerEvent.toFixed(1), (row.heapBytesPerSubscriber / 1024).toFixed(1), (row.gatewayRssBytes / 2 ** 20).toFixed(0)].map(String));
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => line[i].length)));
  const format = (cells) => cells.map((cell, i) => cell.padStart(widths[i])).join('  ');
  console.log(format(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const line of lines) console.log(format(line));
}

export async function run() {
  const needed = Math.max(...LEVELS) + 200;
  const limit = Number(execSync('ulimit -n', { shell: '/bin/bash' }).toString().trim());
  if (Number.isFinite(limit) && limit < needed) {
    throw new Error(`ulimit -n is ${limit}; this bench needs at least ${needed} (one socket per subscriber in this process and in the gateway). Run \`ulimit -n ${needed}\` (or lower BENCH_SUBSCRIBERS) and retry.`);
  }
  const startedAt = new Date();
  let stack;
  let gateway;
  const sockets = [];
  const cleanup = async () => {
    for (const socket of sockets) socket.terminate();
    await Promise.allSettled([gateway?.stop(), stack?.stop()]);
    if (stack?.dataDir) rmSync(stack.dataDir, { recursive: true, force: true });
  };
  try {
    progress(`starting the FlowForge stack (embedded) at port base ${PORT_BASE}...`);
    stack = await startStackProcess({ portBase: PORT_BASE, embedded: true, env: { NODE_ENV: 'production', RATE_LIMIT_USER_BURST: '1000000000', RATE_LIMIT_USER_PER_MINUTE: '1000000000' } });
    const url = stack.gatewayUrl;

    progress(`seeding: an organization with ${SUBSCRIBER_IDENTITIES} subscribing identities (ADMIN + MANAGERs) and a running focus session...`);
    const admin = await signUp({ name: 'Bench Admin', url });
    const created = await gqlOk('mutation { createOrganization(input: { name: "Bench Org" }) { accessToken activeOrganization { id } } }', {}, admin.accessToken, url);
    admin.accessToken = created.createOrganization.accessToken;
    const organizationId = created.createOrganization.activeOrganization.id;
    const tokens = [admin.accessToken];
    for (let i = 1; i < SUBSCRIBER_IDENTITIES; i++) {
      const member = await signUp({ name: `Bench Manager ${i}`, url });
      const invite = await gqlOk('mutation($input: InviteMemberInput!) { inviteMember(input: $input) { token } }', { input: { email: member.email, role: 'MANAGER' } }, admin.accessToken, url);
      const accepted = await gqlOk('mutation($token: String!) { acceptInvitation(token: $token) { accessToken } }', { token: invite.inviteMember.token }, member.accessToken, url);
      tokens.push(accepted.acceptInvitation.accessToken);
    }
    const session = await gqlOk('mutation { startFocusSession(input: { plannedMinutes: 50, category: "bench" }) { id } }', {}, admin.accessToken, url);
    const sessionId = session.startFocusSession.id;

    progress(`starting the gateway under test (child process, NODE_ENV=production) on port ${GATEWAY_PORT}...`);
    gateway = startGatewayChild(stack.dataDir);
    await gateway.ready;
    const baseline = await gateway.stats();
    const wsUrl = `ws://127.0.0.1:${GATEWAY_PORT}/graphql`;

    let current = null; // { t0, arrivals: number[] }
    const onNext = (payload) => {
      const at = nowMs();
      if (payload?.data?.focusSessionChanged?.user?.name !== 'Bench Admin') {
        progress(`  unexpected payload: ${JSON.stringify(payload).slice(0, 300)}`);
        return;
      }
      current?.arrivals.push(at - current.t0);
    };

    const rows = [];
    for (const level of LEVELS) {
      progress(`opening subscribers up to ${level} (${CONNECT_BATCH} at a time)...`);
      const connectStarted = Date.now();
      while (sockets.length < level) {
        const batch = Math.min(CONNECT_BATCH, level - sockets.length);
        const opened = await Promise.all(Array.from({ length: batch }, (_, i) => openSubscriber(wsUrl, tokens[(sockets.length + i) % tokens.length], { userId: admin.id }, onNext)));
        sockets.push(...opened);
      }
      // Subscribing is asynchronous at the gateway: wait until it has registered them all.
      let stats = await gateway.stats();
      for (let tries = 0; stats.hub.subscriptions < level && tries < 100; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        stats = await gateway.stats();
      }
      const connectSeconds = (Date.now() - connectStarted) / 1000;
      const heapBytesPerSubscriber = (stats.memory.heapUsed - baseline.memory.heapUsed) / level;
      progress(`  ${stats.hub.connections} connections, ${stats.hub.subscriptions} subscriptions in ${stats.hub.groups} groups; heap ${(stats.memory.heapUsed / 2 ** 20).toFixed(1)} MiB (${(heapBytesPerSubscriber / 1024).toFixed(1)} KB per subscriber), rss ${(stats.memory.rss / 2 ** 20).toFixed(0)} MiB`);

      progress(`publishing ${EVENTS_PER_LEVEL} events, one at a time, each awaited at all ${level} subscribers...`);
      const latencies = [];
      let missing = 0;
      const executionsBefore = stats.hub.executions;
      for (let e = 0; e < EVENTS_PER_LEVEL; e++) {
        const event = {
          specversion: '1.0', id: randomUUID(), source: '/flowforge/focus', type: 'flowforge.focus.session.updated', time: new Date().toISOString(),
          subject: sessionId, datacontenttype: 'application/json', tenant: organizationId, schemaversion: 1,
          data: { sessionId, userId: admin.id, organizationId, state: 'ACTIVE', plannedMinutes: 50, actualMinutes: 0, category: 'bench', rating: null, startedAt: new Date().toISOString(), endedAt: null, focusBlockId: null },
        };
        current = { t0: nowMs(), arrivals: [] };
        gateway.publish(event);
        const deadline = Date.now() + DELIVERY_TIMEOUT_MS;
        while (current.arrivals.length < level && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 2));
        missing += level - current.arrivals.length;
        latencies.push(...current.arrivals);
        current = null;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const after = await gateway.stats();
      latencies.sort((a, b) => a - b);
      const row = {
        subscribers: level,
        connectionsHeld: after.hub.connections,
        groups: after.hub.groups,
        connectSeconds,
        events: EVENTS_PER_LEVEL,
        deliveries: latencies.length,
        missing,
        latencyMs: { p50: percentile(latencies, 50), p90: percentile(latencies, 90), p99: percentile(latencies, 99), max: latencies.at(-1) ?? null },
        executionsPerEvent: (after.hub.executions - executionsBefore) / EVENTS_PER_LEVEL,
        heapBytesPerSubscriber,
        gatewayHeapUsedBytes: stats.memory.heapUsed,
        gatewayRssBytes: stats.memory.rss,
      };
      progress(`  p50 ${row.latencyMs.p50?.toFixed(1)} ms, p99 ${row.latencyMs.p99?.toFixed(1)} ms, ${missing} missing`);
      rows.push(row);
    }

    console.log('');
    printTable(rows);
    const at1000 = rows.find((row) => row.subscribers === 1000);
    const worstHeap = Math.max(...rows.map((row) => row.heapBytesPerSubscriber));
    const verdicts = {
      p99At1000: at1000 ? { valueMs: at1000.latencyMs.p99, targetMs: TARGETS.p99MsAt1000, met: at1000.latencyMs.p99 < TARGETS.p99MsAt1000 } : null,
      heapPerSubscriber: { valueBytes: Math.round(worstHeap), targetBytes: TARGETS.heapBytesPerSubscriber, met: worstHeap < TARGETS.heapBytesPerSubscriber },
      connectionsHeld: Math.max(...rows.map((row) => row.connectionsHeld)),
      noMissingDeliveries: rows.every((row) => row.missing === 0),
    };
    console.log(`targets: p99 at 1,000 < ${TARGETS.p99MsAt1000} ms: ${verdicts.p99At1000?.met ? 'met' : 'NOT met'}; heap per subscriber < 20 KB: ${verdicts.heapPerSubscriber.met ? 'met' : 'NOT met'}; missing deliveries: ${rows.reduce((sum, row) => sum + row.missing, 0)}`);

    const cpuList = cpus();
    const report = {
      bench: 'subscriptions',
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      machine: { node: process.version, platform: platform(), arch: arch(), osRelease: release(), cpus: cpuList.length, cpuModel: cpuList[0]?.model ?? null, totalMemoryMiB: Math.round(totalmem() / 2 ** 20), loadAverageAtEnd: loadavg(), ulimitN: limit },
      settings: { levels: LEVELS, eventsPerLevel: EVENTS_PER_LEVEL, identities: SUBSCRIBER_IDENTITIES, query: QUERY, gateway: { port: GATEWAY_PORT, nodeEnv: 'production', process: 'child', bus: 'in-process' }, stack: { portBase: PORT_BASE, embedded: true } },
      baseline: { gatewayHeapUsedBytes: baseline.memory.heapUsed, gatewayRssBytes: baseline.memory.rss },
      targets: TARGETS,
      verdicts,
      results: rows,
    };
    mkdirSync(RESULTS_DIR, { recursive: true });
    const stamp = report.startedAt.replace(/:/g, '-');
    const json = `${JSON.stringify(report, null, 2)}\n`;
    writeFileSync(`${RESULTS_DIR}subscriptions-${stamp}.json`, json);
    writeFileSync(`${RESULTS_DIR}subscriptions-latest.json`, json);
    progress(`wrote bench/results/subscriptions-${stamp}.json and bench/results/subscriptions-latest.json`);
  } catch (error) {
    if (gateway) progress(`gateway output (tail):\n${gateway.output().slice(-3000)}`);
    if (stack) progress(`stack output (tail):\n${stack.output().slice(-3000)}`);
    throw error;
  } finally {
    progress('stopping...');
    await cleanup();
  }
}

// `pnpm bench gateway`: throughput and latency of one cross-subgraph query through
//   (a) the FlowForge gateway,
//   (b) an untuned stock @apollo/gateway over the same subgraphs (child process, port 17100),
//   (c) the owning subgraph (focus) directly, via _entities, i.e. the floor without a gateway,
// each at 10 and 50 connections, against the BUILT stack (run `node scripts/build.mjs` first;
// `pnpm bench gateway` does). Writes bench/results/gateway-<timestamp>.json and gateway-latest.json.
//
// Env: BENCH_WARMUP_SECONDS (default 3), BENCH_DURATION_SECONDS (default 10). Each run signs a fresh
// internal token (they live 60 s), so warm-up + duration must stay under 50 s.
import autocannon from 'autocannon';
import { fork } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, platform, arch, release } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath } from 'node:url';
import { gqlOk, signUp, startStackProcess } from '../packages/testing/dist/index.js';

// With DATABASE_URL set the subgraphs use that Postgres (their own schemas); otherwise embedded PGlite,
// whose single-threaded WASM engine is then the ceiling for every target.
const EMBEDDED = !process.env.DATABASE_URL;
import { INTERNAL_TOKEN_HEADER, loadSigningKey, signInternalToken } from '../packages/auth/dist/index.js';
import { SUBGRAPH_NAMES, subgraphUrl } from '../packages/runtime/dist/ports.js';

export const description = 'FlowForge gateway vs stock @apollo/gateway vs the focus subgraph directly (one cross-subgraph query)';

const PORT_BASE = 17000;
const STOCK_GATEWAY_PORT = 17100;
const CONNECTIONS = [10, 50];
const TIMEZONE = 'Europe/Berlin';
const SEED_SESSIONS = 20;
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const DURATION_SECONDS = Number(process.env.BENCH_DURATION_SECONDS ?? 10);
const SUPERGRAPH_PATH = fileURLToPath(new URL('../schema/supergraph.graphql', import.meta.url));
const STOCK_GATEWAY_MAIN = fileURLToPath(new URL('./lib/stock-gateway.mjs', import.meta.url));
const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));

const progress = (message) => process.stderr.write(`${message}\n`);

/**
 * The gateway rate-limits per user (default burst 300, 600 a minute) and this bench is one user, so
 * it lifts the per-user limit out of reach: the limiter still runs on every request (its cost is part
 * of what we measure) but never says no. Set these in the environment to bench with other limits.
 */
const STACK_RATE_LIMITS = {
  RATE_LIMIT_USER_BURST: process.env.RATE_LIMIT_USER_BURST ?? '1000000000',
  RATE_LIMIT_USER_PER_MINUTE: process.env.RATE_LIMIT_USER_PER_MINUTE ?? '1000000000',
};

/** YYYY-MM-DD of `date` in `timeZone`. */
function localDate(date, timeZone) {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(date);
}

function addDays(day, days) {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

function decodeJwtPayload(token) {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

function gatewayQuery(from, to) {
  return `query Bench { me { name timezone focusSessions(first: 20) { edges { node { id state actualMinutes rating user { name } } } } focusStats(from: "${from}", to: "${to}") { totalMinutes sessions currentStreak } } }`;
}

function subgraphQuery(from, to) {
  return `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { focusSessions(first: 20) { edges { node { id state actualMinutes rating user { id } } } } focusStats(from: "${from}", to: "${to}") { totalMinutes sessions currentStreak } } } }`;
}

async function postJson(url, headers, body) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json };
}

/** One request, before benchmarking a target: it must answer 200 with data and no errors. */
async function verifyTarget(target, headers) {
  const { status, text, json } = await postJson(target.url, headers, target.body);
  if (status !== 200 || !json?.data || json.errors) {
    throw new Error(`${target.label} did not answer the bench query cleanly (HTTP ${status}): ${text.slice(0, 2000)}`);
  }
  return json.data;
}

/** The stock gateway child: fork, wait for it to listen, and talk to it over IPC. */
async function startStockGateway() {
  const urls = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, subgraphUrl(name, { FLOWFORGE_PORT_BASE: String(PORT_BASE) })]));
  const env = { ...process.env, NODE_ENV: 'production' };
  delete env.APOLLO_KEY; // no usage reporting: stock, but offline
  const child = fork(STOCK_GATEWAY_MAIN, [JSON.stringify({ supergraphPath: SUPERGRAPH_PATH, port: STOCK_GATEWAY_PORT, urls })], {
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));

  const waitFor = (type, timeoutMs) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`stock gateway: no "${type}" within ${timeoutMs} ms\n${output.slice(-4000)}`)), timeoutMs);
    const onMessage = (message) => {
      if (message?.type === type) finish(null, message);
      else if (message?.type === 'failed') finish(new Error(`stock gateway failed to start:\n${message.error}\n${output.slice(-4000)}`));
    };
    const onExit = (code, signal) => finish(new Error(`stock gateway exited (code ${code}, signal ${signal}):\n${output.slice(-4000)}`));
    function finish(error, message) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(message);
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
  });

  const ready = await waitFor('ready', 30_000).catch((error) => {
    child.kill('SIGKILL');
    throw error;
  });
  return {
    url: `http://127.0.0.1:${STOCK_GATEWAY_PORT}/graphql`,
    startedUrl: ready.url,
    output: () => output,
    async setToken(token) {
      const acknowledged = waitFor('token-set', 5_000);
      child.send({ type: 'token', token });
      await acknowledged;
    },
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
    }),
  };
}

/** One autocannon run; every 2xx body is checked for GraphQL `errors`. */
async function cannon(target, headers, connections, duration) {
  const check = { graphqlErrors: 0, checked: 0, sample: null };
  const result = await autocannon({
    url: target.url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: target.body,
    connections,
    duration,
    timeout: 10,
    requests: [{
      onResponse(status, body) {
        if (status < 200 || status >= 300) {
          check.sample ??= `HTTP ${status}: ${String(body).slice(0, 500)}`;
          return;
        }
        check.checked++;
        if (body.includes('"errors"') || !body.startsWith('{"data":')) {
          check.graphqlErrors++;
          check.sample ??= String(body).slice(0, 500);
        }
      },
    }],
  });
  return { result, check };
}

function summarize(target, connections, { result, check }) {
  const transportErrors = result.errors + result.timeouts;
  return {
    target: target.key,
    name: target.label,
    url: target.url,
    connections,
    requestsPerSecond: result.requests.average,
    cleanResponsesPerSecond: Math.round(((check.checked - check.graphqlErrors) / result.duration) * 10) / 10,
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, mean: result.latency.average, max: result.latency.max },
    // Responses that were not a clean GraphQL success, plus connection errors and timeouts.
    errors: check.graphqlErrors + transportErrors,
    graphqlErrors: check.graphqlErrors,
    transportErrors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    responses: result.requests.total,
    bodiesChecked: check.checked,
    statusCodes: result.statusCodeStats,
    durationSeconds: result.duration,
    firstBadResponse: check.sample,
    // Any bad response makes the numbers incomparable (e.g. fast 429s inflate req/s).
    valid: check.graphqlErrors + transportErrors + result.non2xx === 0,
  };
}

function printTable(rows) {
  const header = ['target', 'connections', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'non-2xx'];
  const lines = rows.map((row) => [
    row.valid ? row.name : `${row.name} (INVALID)`,
    String(row.connections),
    row.requestsPerSecond.toFixed(1),
    row.latencyMs.p50.toFixed(1),
    row.latencyMs.p99.toFixed(1),
    String(row.errors),
    String(row.non2xx),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => line[i].length)));
  const format = (cells) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  console.log(format(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const line of lines) console.log(format(line));
}

export async function run() {
  if (!(WARMUP_SECONDS >= 0 && DURATION_SECONDS > 0 && WARMUP_SECONDS + DURATION_SECONDS < 50)) {
    throw new Error('BENCH_WARMUP_SECONDS + BENCH_DURATION_SECONDS must be under 50 s: each run uses one 60 s internal token.');
  }
  if (!existsSync(SUPERGRAPH_PATH)) {
    throw new Error(`${SUPERGRAPH_PATH} does not exist: run \`pnpm compose\` first (the gateway and the stock gateway both serve it).`);
  }

  const startedAt = new Date();
  let failure = null;
  let stack;
  let stock;
  let cleaning;
  const cleanup = () => (cleaning ??= (async () => {
    await Promise.allSettled([stock?.stop(), stack?.stop()]);
    if (stack?.dataDir) rmSync(stack.dataDir, { recursive: true, force: true });
  })());
  const onSignal = (signal) => {
    progress(`${signal}: stopping the stack and the stock gateway...`);
    cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    progress(`starting the FlowForge stack (${EMBEDDED ? 'embedded PGlite' : 'Postgres at DATABASE_URL'}, NODE_ENV=production) at port base ${PORT_BASE}...`);
    stack = await startStackProcess({ portBase: PORT_BASE, embedded: EMBEDDED, env: { NODE_ENV: 'production', FLOWFORGE_ALLOW_DEV_KEYS: '1', ...STACK_RATE_LIMITS } });
    const gatewayUrl = stack.gatewayUrl;

    progress(`seeding: a user (${TIMEZONE}), an organization, ${SEED_SESSIONS} completed focus sessions...`);
    const user = await signUp({ timezone: TIMEZONE, name: 'Bench User', url: gatewayUrl });
    // Like @flowforge/testing's createOrganization, which only talks to FLOWFORGE_TEST_GATEWAY_URL.
    const created = await gqlOk('mutation($name: String!) { createOrganization(input: { name: $name }) { accessToken activeOrganization { id } } }',
      { name: 'Bench Org' }, user.accessToken, gatewayUrl);
    user.accessToken = created.createOrganization.accessToken;
    const organizationId = created.createOrganization.activeOrganization.id;
    for (let i = 0; i < SEED_SESSIONS; i++) {
      const started = await gqlOk('mutation($input: StartFocusSessionInput!) { startFocusSession(input: $input) { id } }',
        { input: { plannedMinutes: 25 + i, category: i % 2 ? 'deep work' : 'review', notes: `bench session ${i + 1}` } }, user.accessToken, gatewayUrl);
      await gqlOk('mutation($id: ID!, $input: EndFocusSessionInput) { endFocusSession(id: $id, input: $input) { id state } }',
        { id: started.startFocusSession.id, input: { rating: 1 + (i % 5) } }, user.accessToken, gatewayUrl);
    }

    const claims = decodeJwtPayload(user.accessToken);
    if (claims.sub !== user.id || claims.org !== organizationId || claims.role !== 'ADMIN' || !claims.sid) {
      throw new Error(`unexpected access token claims: ${JSON.stringify(claims)}`);
    }
    const identity = { userId: claims.sub, organizationId: claims.org, role: claims.role, sessionId: claims.sid, workspaceId: null };
    const internalKey = await loadSigningKey('internal', { FLOWFORGE_DATA_DIR: stack.dataDir });
    const internalToken = () => signInternalToken(internalKey, identity);

    const today = localDate(new Date(), TIMEZONE);
    const from = addDays(today, -6);
    const query = gatewayQuery(from, today);
    const entitiesQuery = subgraphQuery(from, today);
    const entitiesVariables = { r: [{ __typename: 'User', id: user.id, timezone: TIMEZONE }] };
    const gatewayBody = JSON.stringify({ query, operationName: 'Bench' });

    progress(`starting the stock @apollo/gateway (child process) on port ${STOCK_GATEWAY_PORT}...`);
    stock = await startStockGateway();

    const targets = [
      {
        key: 'a', label: '(a) FlowForge gateway', url: gatewayUrl, body: gatewayBody,
        headers: async () => ({ authorization: `Bearer ${user.accessToken}` }),
      },
      {
        key: 'b', label: '(b) stock @apollo/gateway', url: stock.url, body: gatewayBody,
        // The stock gateway puts this token on every subgraph request it makes.
        headers: async () => {
          await stock.setToken(await internalToken());
          return {};
        },
      },
      {
        key: 'c', label: '(c) focus subgraph direct', url: subgraphUrl('focus', { FLOWFORGE_PORT_BASE: String(PORT_BASE) }),
        body: JSON.stringify({ query: entitiesQuery, variables: entitiesVariables }),
        headers: async () => ({ [INTERNAL_TOKEN_HEADER]: await internalToken() }),
      },
    ];

    const results = [];
    const answers = {};
    for (const target of targets) {
      progress(`checking ${target.label} at ${target.url}...`);
      answers[target.key] = await verifyTarget(target, await target.headers());
      for (const connections of CONNECTIONS) {
        const headers = await target.headers(); // fresh internal token per run (60 s lifetime)
        if (WARMUP_SECONDS > 0) {
          progress(`warming up ${target.label.split(' ')[0]} at ${connections} connections (${WARMUP_SECONDS} s)...`);
          const warm = await cannon(target, headers, connections, WARMUP_SECONDS);
          const bad = warm.result.non2xx + warm.check.graphqlErrors + warm.result.errors + warm.result.timeouts;
          if (bad) progress(`  warm-up had ${bad} bad responses, e.g. ${warm.check.sample}`);
        }
        progress(`running ${target.label.split(' ')[0]} at ${connections} connections (${DURATION_SECONDS} s)...`);
        const row = summarize(target, connections, await cannon(target, headers, connections, DURATION_SECONDS));
        progress(`  ${row.requestsPerSecond.toFixed(1)} req/s, p50 ${row.latencyMs.p50} ms, p99 ${row.latencyMs.p99} ms, ${row.errors} errors, ${row.non2xx} non-2xx`);
        if (row.firstBadResponse) progress(`  first bad response: ${row.firstBadResponse}`);
        results.push(row);
      }
    }

    // Same answers everywhere: (a) and (b) identical, (c) the focus part of it.
    const focusPart = (me) => ({
      ids: me.focusSessions.edges.map((edge) => [edge.node.id, edge.node.state, edge.node.actualMinutes, edge.node.rating]),
      stats: me.focusStats,
    });
    const consistency = {
      gatewaysAgree: isDeepStrictEqual(answers.a, answers.b),
      subgraphAgrees: isDeepStrictEqual(focusPart(answers.a.me), focusPart(answers.c._entities[0])),
      sessionsReturned: answers.a.me.focusSessions.edges.length,
    };
    if (!consistency.gatewaysAgree) progress('WARNING: (a) and (b) returned different data for the bench query.');
    if (!consistency.subgraphAgrees) progress('WARNING: (c) returned different focus data than (a).');
    if (consistency.sessionsReturned !== SEED_SESSIONS) progress(`WARNING: the query returned ${consistency.sessionsReturned} sessions, not ${SEED_SESSIONS}.`);

    console.log('');
    printTable(results);
    const invalid = results.filter((row) => !row.valid);
    if (invalid.length === 0) {
      for (const connections of CONNECTIONS) {
        const rate = (key) => results.find((row) => row.target === key && row.connections === connections)?.requestsPerSecond;
        const [a, b, c] = ['a', 'b', 'c'].map(rate);
        console.log(`${connections} connections: (a)/(b) = ${(a / b).toFixed(2)}x, (a)/(c) = ${(a / c).toFixed(2)}x`);
      }
    } else {
      console.log(`INVALID: ${invalid.length} run(s) had errors or non-2xx responses, so no ratios. First bad response:`);
      console.log(`  ${invalid[0].firstBadResponse}`);
      failure = `${invalid.length} run(s) had errors or non-2xx responses (${invalid.map((row) => `${row.target}@${row.connections}`).join(', ')}); see the table and the results JSON.`;
    }

    const cpuList = cpus();
    const report = {
      bench: 'gateway',
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      machine: {
        node: process.version,
        platform: platform(),
        arch: arch(),
        osRelease: release(),
        cpus: cpuList.length,
        cpuModel: cpuList[0]?.model ?? null,
        totalMemoryMiB: Math.round(totalmem() / 2 ** 20),
        loadAverageAtEnd: loadavg(),
      },
      settings: {
        warmupSeconds: WARMUP_SECONDS,
        durationSeconds: DURATION_SECONDS,
        connections: CONNECTIONS,
        stack: { portBase: PORT_BASE, embedded: EMBEDDED, nodeEnv: 'production', rateLimits: STACK_RATE_LIMITS },
        stockGateway: { url: stock.url, process: 'child', fetcher: 'default' },
        seed: { timezone: TIMEZONE, focusSessions: SEED_SESSIONS },
      },
      query: {
        gateway: query,
        subgraph: { url: targets[2].url, query: entitiesQuery, variables: entitiesVariables },
        focusStatsRange: { from, to: today },
      },
      consistency,
      valid: invalid.length === 0,
      results,
    };
    mkdirSync(RESULTS_DIR, { recursive: true });
    const stamp = report.startedAt.replace(/:/g, '-');
    const json = `${JSON.stringify(report, null, 2)}\n`;
    writeFileSync(`${RESULTS_DIR}gateway-${stamp}.json`, json);
    writeFileSync(`${RESULTS_DIR}gateway-latest.json`, json);
    progress(`wrote bench/results/gateway-${stamp}.json and bench/results/gateway-latest.json`);
  } catch (error) {
    if (stack) progress(`stack output (tail):\n${stack.output().slice(-3000)}`);
    if (stock) progress(`stock gateway output (tail):\n${stock.output().slice(-3000)}`);
    throw error;
  } finally {
    progress('stopping the stack and the stock gateway...');
    await cleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (failure) throw new Error(failure);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  run().then(() => process.exit(0), (error) => {
    console.error(error?.stack ?? error);
    process.exit(1);
  });
}

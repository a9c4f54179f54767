#!/usr/bin/env node
// npm run soak [-- --duration 10m] [-- --connections 100] [-- --no-build]: the load and soak test
// of issue 5. Drives the identity's token endpoint and the weather-api's GET /weatherforecast
// together, each server its own process, and watches both for the whole run: every response is
// checked, RSS, CPU and event-loop lag are sampled every 10 s. Exits 1 on any error or when a
// server's memory grew (the rule is printed). Writes bench/results/soak-<timestamp>.json.
// Unlike `npm run bench`, nothing is pinned: this measures staying power, not a rate.
import autocannon from 'autocannon';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, platform, release } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { clearInterval, setInterval } from 'node:timers';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  buildApps,
  identityServer,
  mintTokens,
  tokenRequest,
  weatherApiServer,
} from './lib/apps.mjs';
import { fetchJson, forecastCheck, tokenCheck } from './lib/checks.mjs';
import { lastPrintedLag, watchEventLoop } from './lib/event-loop-lag.mjs';
import { Server, cleanUpNow, describe } from './lib/processes.mjs';
import { markdown } from './lib/report.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(ROOT);

/** Seconds between two samples of the servers (RSS, CPU, event-loop lag). */
const SAMPLE_EVERY_S = 10;
/** The share of the connections that ask for tokens; the others call the API. */
const TOKEN_SHARE = 0.2;
/**
 * The API connections take turns with this many tokens, and the token connections' answers
 * replace the oldest of them once a second: the API's verified-token cache sees both hits and a
 * steady stream of new tokens, as with real clients, not one cached token forever.
 */
const TOKEN_POOL_SIZE = 8;
const TOKEN_REFRESH_MS = 1000;
/**
 * The memory rule: a server fails when its average RSS over the last minute exceeds its average
 * over the first minute by more than both RSS_GROWTH_SHARE and RSS_GROWTH_MB. Either bound alone
 * is noise: a small heap may grow by half while warming up, a big one breathes by tens of MB.
 */
const RSS_GROWTH_SHARE = 0.5;
const RSS_GROWTH_MB = 64;
const LAG_PRELOAD = ['--import', './bench/event-loop-lag.mjs'];

const USAGE = `usage: npm run soak [-- options]
  -d, --duration     how long to drive the load: 10m (default), 2m, 90s, or seconds
  -c, --connections  concurrent connections in all (default 100; ${TOKEN_SHARE * 100}% ask for tokens, the rest call the API)
  --no-build         do not run \`npm run build\` first
Exits 1 when any request failed (non-2xx, network error, timeout or a wrong body), or when a
server's RSS grew by more than ${RSS_GROWTH_SHARE * 100}% and more than ${RSS_GROWTH_MB} MB from the first minute to the last.`;

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', short: 'd', default: '10m' },
    connections: { type: 'string', short: 'c', default: '100' },
    'no-build': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (flags.help) {
  console.log(USAGE);
  process.exit(0);
}
const duration = seconds(flags.duration);
const connections = Number(flags.connections);
// Two samples at least, one for each end of the memory trend.
if (!(duration >= 2 * SAMPLE_EVERY_S) || !Number.isInteger(connections) || connections < 2) {
  console.error(
    `soak: --duration must be at least ${2 * SAMPLE_EVERY_S} s and --connections at least 2\n${USAGE}`,
  );
  process.exit(2);
}
const tokenConnections = Math.max(1, Math.round(connections * TOKEN_SHARE));
const options = {
  duration,
  connections,
  tokenConnections,
  apiConnections: connections - tokenConnections,
  sampleEverySeconds: SAMPLE_EVERY_S,
  tokenPoolSize: TOKEN_POOL_SIZE,
  tokenRefreshMs: TOKEN_REFRESH_MS,
};

/** `10m`, `90s`, `1h` or a number of seconds, in seconds (NaN when it is none of them). */
function seconds(text) {
  const match = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(text.trim());
  if (!match) return NaN;
  return Number(match[1]) * { s: 1, m: 60, h: 3600 }[match[2] ?? 's'];
}

/** The tokens the API connections use, refreshed from the token connections' answers. */
class TokenPool {
  constructor(tokens) {
    this.tokens = tokens;
    this.next = 0;
    this.oldest = 0;
    this.refreshedAt = performance.now();
    this.distinct = tokens.length;
  }

  take() {
    return this.tokens[this.next++ % this.tokens.length];
  }

  offer(body) {
    if (performance.now() - this.refreshedAt < TOKEN_REFRESH_MS) return;
    let token;
    try {
      token = JSON.parse(body).access_token;
    } catch {
      return; // the check counts the wrong body
    }
    if (typeof token !== 'string') return;
    this.tokens[this.oldest] = token;
    this.oldest = (this.oldest + 1) % this.tokens.length;
    this.refreshedAt = performance.now();
    this.distinct++;
  }
}

/** What one endpoint has answered so far, as the samples need it (autocannon sums at the end). */
class LiveCounts {
  constructor() {
    this.responses = 0;
    this.non2xx = 0;
    this.networkErrors = 0;
    this.errorMessages = {};
  }

  watch(instance) {
    instance.on('response', (client, status) => {
      this.responses++;
      if (status < 200 || status >= 300) this.non2xx++;
    });
    instance.on('reqError', (error) => {
      this.networkErrors++;
      const message = error?.code ?? error?.message ?? String(error);
      this.errorMessages[message] = (this.errorMessages[message] ?? 0) + 1;
    });
  }

  get errors() {
    return this.non2xx + this.networkErrors;
  }
}

async function main() {
  process.on('exit', cleanUpNow);
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      console.error(`\nsoak: ${signal}: stopping the servers`);
      process.exit(130);
    });
  }
  const log = (message) => console.log(`soak: ${message}`);
  buildApps({ skip: flags['no-build'], log });

  const started = new Date();
  const machine = {
    cpu: cpus()[0]?.model,
    cpus: cpus().length,
    node: process.version,
    os: `${platform()} ${release()}`,
  };
  log(
    `${duration} s at -c ${connections}: ${options.tokenConnections} connections ask for tokens (client_secret_basic and client_secret_post in turn), ${options.apiConnections} call GET /weatherforecast`,
  );
  log(`${machine.cpus} × ${machine.cpu}, Node ${machine.node}, ${machine.os}; servers unpinned`);
  log(
    'the identity runs with RATE_LIMIT=off: the soak measures capacity and stability, and from one address it would only measure the throttle',
  );

  const servers = await startServers();
  const [identity, api] = servers;
  const pool = new TokenPool(await mintTokens(identity, TOKEN_POOL_SIZE));
  // The first call discovers the identity's keys; it must already succeed.
  await fetchJson(`${api.url}/weatherforecast`, {
    headers: { authorization: `Bearer ${pool.take()}` },
  });

  const { endpoints, samples } = await drive({ identity, api, pool });
  const window = trendWindow(samples.at(-1).t);
  const memory = servers.map((server) => memoryTrend(server.name, samples, window));
  const exited = servers.filter((server) => server.exited);
  const failures = [
    ...Object.values(endpoints)
      .filter((endpoint) => endpoint.errors > 0)
      .map((endpoint) => `${endpoint.endpoint}: ${endpoint.errors} errors`),
    ...memory
      .filter((trend) => trend.verdict !== 'flat')
      .map((trend) => `${trend.server}: RSS ${trend.verdict === 'GREW' ? 'grew' : 'not measured'}`),
    ...exited.map((server) => `${server.name} exited during the run (${describe(server.exited)})`),
  ];
  const pass = failures.length === 0;

  printReport({ endpoints, memory, window, samples, pool });
  for (const server of exited) console.log(`${server.name} output:\n${server.tail()}`);

  const results = {
    started: started.toISOString(),
    finished: new Date().toISOString(),
    machine,
    options,
    rateLimit: 'off',
    endpoints,
    samples,
    memory,
    memoryRule: { growthShare: RSS_GROWTH_SHARE, growthMb: RSS_GROWTH_MB, windowSeconds: window },
    distinctTokensUsedByTheApi: pool.distinct,
    failures,
    pass,
  };
  const directory = join(ROOT, 'bench', 'results');
  mkdirSync(directory, { recursive: true });
  const file = join(directory, `soak-${started.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  log(`results written to ${relative(ROOT, file)}`);

  for (const server of [...servers].reverse()) await server.stop();
  console.log(pass ? 'soak: PASS' : `soak: FAIL\n${failures.map((f) => `  ${f}`).join('\n')}`);
  process.exitCode = pass ? 0 : 1;
}

/** The identity, then the weather-api trusting it, each with the event-loop lag preload. */
async function startServers() {
  // The identity's throttle is off (identityServer): every request comes from one address, so
  // with it on the soak would measure 429s, not the servers' capacity and stability.
  // LOG_LEVEL=warn: a log line per request would measure the terminal. Ready is then GET /health.
  const env = { LOG_LEVEL: 'warn', SOAK_LAG_INTERVAL_MS: String(SAMPLE_EVERY_S * 1000) };
  const identity = await Server.start({
    ...identityServer({ env }),
    name: 'identity',
    nodeArgs: LAG_PRELOAD,
    readyPath: '/health',
  });
  const api = await Server.start({
    ...weatherApiServer(identity.url, { nodeArgs: LAG_PRELOAD, env }),
    readyPath: '/health',
  });
  return [identity, api];
}

/**
 * Both loads at once for the whole duration, every response checked, the servers sampled every
 * SAMPLE_EVERY_S (a line printed for each); gives each endpoint's result and the samples.
 */
async function drive({ identity, api, pool }) {
  const tokenChecks = await tokenCheck({ baseUrl: identity.url, alg: 'RS256', signShare: 0.01 });
  const forecastChecks = forecastCheck();
  const counts = { token: new LiveCounts(), weatherforecast: new LiveCounts() };
  const ownLoop = watchEventLoop();
  const servers = [identity, api];

  const samples = [sample({ t: 0, servers, counts, ownLoop })];
  printSampleHeader();
  printSample(samples[0], undefined);
  const loadStart = performance.now();
  const takeSample = () => {
    const next = sample({ t: (performance.now() - loadStart) / 1000, servers, counts, ownLoop });
    printSample(next, samples.at(-1));
    samples.push(next);
  };
  const sampler = setInterval(takeSample, SAMPLE_EVERY_S * 1000);

  const tokenLoad = autocannon({
    url: identity.url,
    connections: options.tokenConnections,
    duration,
    timeout: 10,
    requests: ['basic', 'post'].map((method) => ({
      ...tokenRequest(method),
      onResponse: (status, body) => {
        if (status < 200 || status >= 300) return;
        tokenChecks.check(body);
        pool.offer(body);
      },
    })),
  });
  const apiLoad = autocannon({
    url: api.url,
    connections: options.apiConnections,
    duration,
    timeout: 10,
    requests: [
      {
        method: 'GET',
        path: '/weatherforecast',
        setupRequest: (request) => ({
          ...request,
          headers: { ...request.headers, authorization: `Bearer ${pool.take()}` },
        }),
        onResponse: (status, body) => {
          if (status >= 200 && status < 300) forecastChecks.check(body);
        },
      },
    ],
  });
  counts.token.watch(tokenLoad);
  counts.weatherforecast.watch(apiLoad);
  const [tokenResult, apiResult] = await Promise.all([tokenLoad, apiLoad]);
  clearInterval(sampler);
  // The end of the run, unless the last sample was just taken.
  if ((performance.now() - loadStart) / 1000 - samples.at(-1).t >= 1) takeSample();

  return {
    samples,
    endpoints: {
      token: endpointResult('POST /connect/token', tokenResult, tokenChecks, counts.token),
      weatherforecast: endpointResult(
        'GET /weatherforecast',
        apiResult,
        forecastChecks,
        counts.weatherforecast,
      ),
    },
  };
}

function printReport({ endpoints, memory, window, samples, pool }) {
  console.log(`\n${endpointTable(Object.values(endpoints))}\n`);
  for (const endpoint of Object.values(endpoints).filter((e) => e.errors > 0)) {
    console.log(`${endpoint.endpoint} errors: ${JSON.stringify(endpoint.errorDetail)}\n`);
  }
  console.log(`${memoryTable(memory, window)}\n`);
  console.log(
    `memory rule: a server FAILS when its average RSS over the last ${window} s exceeds its average over the first ${window} s (samples under load only) by more than ${RSS_GROWTH_SHARE * 100}% AND by more than ${RSS_GROWTH_MB} MB`,
  );
  const ownLag = samples.slice(1).map((s) => s.soakLoopLag.p99);
  console.log(
    `the soak's own event loop: p99 lag up to ${Math.max(...ownLag)} ms per sample (high values mean the load generator, not the servers, limited the rate)`,
  );
  console.log(
    `the API used ${pool.distinct} distinct tokens (${TOKEN_POOL_SIZE} at a time, one replaced every ${TOKEN_REFRESH_MS / 1000} s)`,
  );
}

/** One sample: each server's RSS, CPU seconds so far and event-loop lag, and the counts so far. */
function sample({ t, servers, counts, ownLoop }) {
  return {
    t: Math.round(t * 10) / 10,
    servers: Object.fromEntries(
      servers.map((server) => [
        server.name,
        {
          rssMb: server.rssMb(),
          cpuSeconds: server.cpuSeconds(),
          loopLag: lastPrintedLag(server.output),
        },
      ]),
    ),
    responses: Object.fromEntries(
      Object.entries(counts).map(([name, count]) => [name, count.responses]),
    ),
    errors: Object.values(counts).reduce((sum, count) => sum + count.errors, 0),
    soakLoopLag: ownLoop.lag(),
  };
}

const fixed = (value, digits = 0) => (value === undefined ? '–' : value.toFixed(digits));

function printSampleHeader() {
  console.log(
    '\n     t | identity RSS MB  CPU  lag p99 | weather-api RSS MB  CPU  lag p99 | token/s    API/s | errors',
  );
}

/** A line per sample as the run goes; CPU and rates are over the time since `previous`. */
function printSample(current, previous) {
  const seconds = previous ? current.t - previous.t : 0;
  const cpu = (name) => {
    const now = current.servers[name].cpuSeconds;
    const before = previous?.servers[name].cpuSeconds;
    return seconds > 0 && now !== undefined && before !== undefined
      ? `${fixed(((now - before) / seconds) * 100)}%`
      : '–';
  };
  const rate = (name) =>
    seconds > 0 ? fixed((current.responses[name] - previous.responses[name]) / seconds) : '–';
  const server = (name, width) =>
    `${fixed(current.servers[name].rssMb).padStart(width)} ${cpu(name).padStart(4)} ${`${fixed(current.servers[name].loopLag?.p99, 1)} ms`.padStart(8)}`;
  console.log(
    `${`${fixed(current.t)} s`.padStart(6)} | ${server('identity', 15)} | ${server('weather-api', 18)} | ${rate('token').padStart(7)} ${rate('weatherforecast').padStart(8)} | ${current.errors}`,
  );
}

function endpointResult(endpoint, result, checks, counts) {
  const { checked, failed, reasons } = checks.tally.snapshot();
  return {
    endpoint,
    requests: result.requests.total + result.errors,
    rate: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    errors: result.non2xx + result.errors + failed,
    non2xx: result.non2xx,
    networkErrors: result.errors,
    timeouts: result.timeouts,
    wrongBodies: failed,
    checked,
    errorDetail: {
      statusCodes: result.statusCodeStats,
      network: counts.errorMessages,
      wrongBodies: reasons,
    },
  };
}

function endpointTable(endpoints) {
  const rows = [
    [
      'endpoint',
      'requests',
      'req/s',
      'errors',
      'non-2xx',
      'network/timeouts',
      'wrong body',
      'p50 ms',
      'p99 ms',
    ],
  ];
  for (const e of endpoints) {
    rows.push([
      e.endpoint,
      String(e.requests),
      fixed(e.rate),
      String(e.errors),
      String(e.non2xx),
      `${e.networkErrors}/${e.timeouts}`,
      String(e.wrongBodies),
      String(e.p50),
      String(e.p99),
    ]);
  }
  return markdown(rows, [false, true, true, true, true, true, true, true, true]);
}

/** Seconds at each end of the run that the memory rule averages: a minute, or half a short run. */
function trendWindow(runSeconds) {
  return Math.min(60, Math.round(runSeconds / 2));
}

/** A server's RSS trend under load: first-window and last-window averages, max, and the rule. */
function memoryTrend(name, samples, window) {
  const loaded = samples.filter((s) => s.t > 0 && s.servers[name].rssMb !== undefined);
  const end = samples.at(-1).t;
  const rss = (list) => list.map((s) => s.servers[name].rssMb);
  const average = (list) =>
    list.length === 0 ? undefined : rss(list).reduce((sum, mb) => sum + mb, 0) / list.length;
  const firstMb = average(loaded.filter((s) => s.t <= window));
  const lastMb = average(loaded.filter((s) => s.t > end - window));
  const trend = {
    server: name,
    idleMb: samples[0].servers[name].rssMb,
    firstMb,
    lastMb,
    maxMb: loaded.length === 0 ? undefined : Math.max(...rss(loaded)),
  };
  // Unmeasured (no /proc, or the server died) fails too: such a run proves nothing.
  if (firstMb === undefined || lastMb === undefined) return { ...trend, verdict: 'unmeasured' };
  const growthMb = lastMb - firstMb;
  const grew = growthMb > RSS_GROWTH_SHARE * firstMb && growthMb > RSS_GROWTH_MB;
  return { ...trend, growthMb, growth: growthMb / firstMb, verdict: grew ? 'GREW' : 'flat' };
}

function memoryTable(memory, window) {
  const rows = [
    [
      'server',
      'RSS MB before load',
      `first ${window} s avg`,
      `last ${window} s avg`,
      'max',
      'growth',
      'memory',
    ],
  ];
  for (const m of memory) {
    rows.push([
      m.server,
      fixed(m.idleMb),
      fixed(m.firstMb),
      fixed(m.lastMb),
      fixed(m.maxMb),
      m.growthMb === undefined
        ? '–'
        : `${m.growthMb >= 0 ? '+' : ''}${fixed(m.growthMb)} MB (${fixed(m.growth * 100)}%)`,
      m.verdict,
    ]);
  }
  return markdown(rows, [false, true, true, true, true, true, false]);
}

try {
  await main();
} catch (error) {
  console.error(`soak: FAIL: ${error instanceof Error ? error.message : error}`);
  process.exitCode = 1;
}

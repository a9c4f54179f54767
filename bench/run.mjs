#!/usr/bin/env node
// npm run bench [-- --quick] [-- --no-build]: the performance bench of issue 4. See
// docs/performance.md, "The bench and its figures". Each server runs as its own process pinned to
// core 0 (taskset); this process, which drives autocannon and checks every response, re-runs
// itself pinned to core 1. Prints the table and the ratios against the targets and writes the
// results as JSON to bench/results/<timestamp>.json.
import autocannon from 'autocannon';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { availableParallelism, cpus, platform, release } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  FORM,
  POST_BODY,
  buildApps,
  identityServer,
  mintTokens,
  tokenRequest,
  weatherApiServer,
} from './lib/apps.mjs';
import { exactCheck, fetchJson, forecastCheck, tokenCheck } from './lib/checks.mjs';
import {
  ALL_CORES,
  LOAD_CORE,
  SERVER_CORE,
  Server,
  canPin,
  cleanUpNow,
  describe,
  machineCpuSeconds,
} from './lib/processes.mjs';
import { DISTURBED, MAX_REPEATS, processCpuSeconds, waitForQuiet } from './lib/quiet.mjs';
import {
  RSS_GROWTH_LIMIT,
  RSS_SLACK_MB,
  medianRun,
  ratioTable,
  table,
  verdict,
} from './lib/report.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(ROOT);

const USAGE = `usage: npm run bench [-- options]
  --quick            smoke test: -c 10, 2 s, 1 run, short warm-up; checks correctness only
  --no-build         do not run \`npm run build\` first
  -c, --connections  concurrent connections (default 50; 10 with --quick)
  -d, --duration     seconds per counted run (default 10; 2 with --quick)
  --runs             counted runs per scenario (default 3; 1 with --quick)
  --warmup           warm-up seconds before the counted runs (default 3; 0.5 with --quick)
  --only a,b         only these scenario ids (sign, bare, token, es256, eddsa, oidc,
                     workers, weather)
  --tracing          the identity and the weather-api export their spans (OTLP/HTTP JSON) to a
                     sink in this process, as OTEL_EXPORTER_OTLP_ENDPOINT would in production
Exits 1 when a response was wrong or failed, or (full mode) when a target is not met.`;

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    connections: { type: 'string', short: 'c' },
    duration: { type: 'string', short: 'd' },
    runs: { type: 'string' },
    warmup: { type: 'string' },
    only: { type: 'string' },
    tracing: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (flags.help) {
  console.log(USAGE);
  process.exit(0);
}
const quick = flags.quick;
const options = {
  quick,
  connections: Number(flags.connections ?? (quick ? 10 : 50)),
  duration: Number(flags.duration ?? (quick ? 2 : 10)),
  runs: Number(flags.runs ?? (quick ? 1 : 3)),
  warmup: Number(flags.warmup ?? (quick ? 0.5 : 3)),
  only: flags.only?.split(',').map((id) => id.trim()),
  tracing: flags.tracing,
};
const GROUPS = ['sign', 'bare', 'token', 'es256', 'eddsa', 'oidc', 'workers', 'weather'];
const unknown = options.only?.filter((group) => !GROUPS.includes(group)) ?? [];
if (unknown.length > 0) {
  console.error(`bench: unknown scenario group ${unknown.join(', ')}\n${USAGE}`);
  process.exit(2);
}
for (const [name, value] of Object.entries(options)) {
  if (typeof value === 'number' && !(value > 0)) {
    console.error(`bench: --${name} must be a positive number\n${USAGE}`);
    process.exit(2);
  }
}

async function main(pin) {
  process.on('exit', cleanUpNow);
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      console.error(`\nbench: ${signal}: stopping the servers`);
      process.exit(130);
    });
  }
  const started = new Date();
  const machine = {
    cpu: cpus()[0]?.model,
    cpus: cpus().length,
    node: process.version,
    os: `${platform()} ${release()}`,
  };
  const pinning = pin
    ? `servers pinned to core ${SERVER_CORE}, load generator (this process) to core ${LOAD_CORE}`
    : 'unpinned (taskset unavailable)';
  console.log(
    `bench: ${quick ? 'QUICK (smoke) mode, ' : ''}-c ${options.connections}, ${options.duration} s × ${options.runs} counted run(s) after ${options.warmup} s warm-up; ${pinning}`,
  );
  console.log(`bench: ${machine.cpus} × ${machine.cpu}, Node ${machine.node}, ${machine.os}\n`);

  const results = { started: started.toISOString(), machine, pinning, options, scenarios: [] };
  const wanted = (group) => !options.only || options.only.includes(group);
  const record = (scenario) => {
    results.scenarios.push(scenario);
    if (scenario.error) {
      console.log(`  ${scenario.label}: FAILED\n${scenario.error}\n`);
    } else if (scenario.kind === 'sign') {
      console.log(`  ${scenario.label}: ${Math.round(scenario.median.rate)} ops/s`);
    } else {
      const m = scenario.median;
      const bad = scenario.runs.reduce((n, r) => n + r.errors + r.non2xx + r.unverified, 0);
      console.log(
        `  ${scenario.label}: ${Math.round(m.rate)} req/s (median), p99 ${m.p99} ms, ${bad} bad responses`,
      );
    }
  };
  const sink = options.tracing ? await startSpanSink() : undefined;
  if (sink) console.log(`bench: tracing on, spans exported to ${sink.url}\n`);
  const context = { pin, record, env: sink?.env ?? {} };

  if (wanted('sign')) await signRates(context);
  if (wanted('bare')) await bareFormPost(context);
  if (wanted('token')) {
    await identityToken(context, { id: 'token-rs256-post', alg: 'RS256', method: 'post' });
    await identityToken(context, { id: 'token-rs256-basic', alg: 'RS256', method: 'basic' });
  }
  if (wanted('es256')) {
    await identityToken(context, { id: 'token-es256-post', alg: 'ES256', method: 'post' });
  }
  if (wanted('eddsa')) {
    await identityToken(context, { id: 'token-eddsa-post', alg: 'EdDSA', method: 'post' });
  }
  if (wanted('oidc')) await oidcProvider(context);
  if (wanted('workers')) {
    await identityToken(context, {
      id: 'token-rs256-post-2-workers',
      alg: 'RS256',
      method: 'post',
      workers: 2,
    });
  }
  if (wanted('weather')) await weatherApi(context);

  const judged = verdict(results, { enforceTargets: !quick });
  results.verdict = judged;
  results.finished = new Date().toISOString();

  if (sink) {
    results.tracing = sink.received();
    await sink.close();
  }
  console.log(`\n${table(results)}\n`);
  if (results.tracing)
    console.log(
      `tracing: ${results.tracing.exports} OTLP exports received, ${(results.tracing.bytes / 1e6).toFixed(1)} MB\n`,
    );
  console.log(`${ratioTable(judged, { enforceTargets: !quick })}\n`);
  console.log(
    judged.clean
      ? `PASS  every response of every run (warm-ups included) was a 2xx that passed its check`
      : `FAIL  wrong or failed responses:\n${judged.unclean.map((line) => `      ${line}`).join('\n')}`,
  );
  if (judged.memory.length > 0) {
    const worst = judged.memory.reduce((a, b) =>
      b.growthMb - b.allowedMb > a.growthMb - a.allowedMb ? b : a,
    );
    console.log(
      `${judged.memoryFlat ? 'PASS' : quick ? 'info' : 'FAIL'}  memory flat: every server's RSS after each counted run within ${RSS_GROWTH_LIMIT * 100}% (or ${RSS_SLACK_MB} MB a process) of the first (closest: ${worst.id}, +${worst.growthMb.toFixed(0)} MB of ${worst.allowedMb.toFixed(0)} allowed)`,
    );
  }
  for (const { id, cores } of judged.disturbed) {
    console.log(
      `note  ${id}: other processes or the hypervisor took ${cores.toFixed(2)} of a core during a counted run (after ${MAX_REPEATS} repeats): that figure is disturbed, run again on a quiet machine`,
    );
  }
  for (const id of judged.saturated) {
    console.log(
      `note  ${id}: the load generator used more than 90% of its core, so it may be what limits that figure`,
    );
  }
  if (results.scenarios.some((s) => s.id === 'token-rs256-post-2-workers')) {
    console.log(
      'note  the 2-worker figure is unpinned: the workers share both cores with the load generator, so it is indicative only',
    );
  }

  const directory = join(ROOT, 'bench', 'results');
  mkdirSync(directory, { recursive: true });
  const file = join(
    directory,
    `${started.toISOString().replace(/[:.]/g, '-')}${quick ? '-quick' : ''}${options.tracing ? '-tracing' : ''}.json`,
  );
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nbench: results written to ${relative(ROOT, file)}`);
  if (quick) console.log('bench: quick mode: targets are shown, not enforced');
  console.log(judged.pass ? 'bench: PASS' : 'bench: FAIL');
  process.exitCode = judged.pass ? 0 : 1;
}

/** d. The ceiling: node:crypto signatures per second on one (pinned) thread. */
async function signRates({ pin, record }) {
  const seconds = quick ? 0.3 : Math.min(3, options.duration);
  const args = ['bench/sign-rate.mjs', '--seconds', String(seconds)];
  args.push('--runs', String(options.runs), '--warmup', quick ? '0.1' : '0.5');
  if (quick) args.push('--quick');
  const node = [process.execPath, ...args];
  const [command, ...rest] = pin ? ['taskset', '-c', SERVER_CORE, ...node] : node;
  const child = spawnSync(command, rest, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (child.status !== 0) {
    const error = `sign-rate.mjs exited with ${child.status}`;
    record({ id: 'sign', kind: 'sign', label: 'raw node:crypto sign', error });
    return;
  }
  const rates = JSON.parse(child.stdout);
  for (const [alg, what] of [
    ['RS256', 'sign'],
    ['ES256', 'sign'],
    ['EdDSA', 'sign'],
    ['RS256verify', 'verify'],
  ]) {
    const { background, repeated } = rates[alg];
    const runs = rates[alg][what].map((rate, i) => ({ rate, backgroundCpu: background[i] }));
    const name = alg.replace('verify', '');
    record({
      id: what === 'sign' ? `sign-${alg}` : 'verify-RS256',
      kind: 'sign',
      label: `raw node:crypto ${name} ${what}, 1 thread`,
      runs,
      repeated,
      median: medianRun(runs),
    });
  }
}

/**
 * Warm-up, then the counted runs of one HTTP scenario, each response checked by `check`.
 * `tokens` (optional) gives each connection its own bearer token; `tokensPerRequest` (optional)
 * gives each request the next one.
 */
async function measure({ id, label, server, request, check, tokens, tokensPerRequest }) {
  const scenario = { id, kind: 'http', label, cores: server.cores, runs: [] };
  let next = 0;
  let nextPerRequest = 0;
  const bearer = (token) => ({ ...request.headers, authorization: `Bearer ${token}` });
  const run = async (duration) => {
    check.reset();
    const cpuBefore = process.cpuUsage();
    const serverBefore = server.cpuSeconds();
    const machineBefore = machineCpuSeconds();
    const start = performance.now();
    const result = await autocannon({
      url: server.url,
      connections: options.connections,
      duration,
      pipelining: 1,
      timeout: 10,
      requests: [
        {
          ...request,
          onResponse: (status, body) => {
            if (status >= 200 && status < 300) check.check(body);
          },
          // autocannon calls setupRequest when the key is there at all: only then.
          ...(tokensPerRequest && {
            setupRequest: (built) => {
              const token = tokensPerRequest[nextPerRequest++ % tokensPerRequest.length];
              return { ...built, headers: bearer(token) };
            },
          }),
        },
      ],
      setupClient: tokens
        ? (client) => client.setHeaders(bearer(tokens[next++ % tokens.length]))
        : undefined,
    });
    const wall = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const serverAfter = server.cpuSeconds();
    const machineAfter = machineCpuSeconds();
    const checks = check.tally.snapshot();
    const serverCpu =
      serverBefore === undefined || serverAfter === undefined
        ? undefined
        : (serverAfter - serverBefore) / wall;
    const loadCpu = (cpu.user + cpu.system) / 1e6 / wall;
    return {
      rate: result.requests.average,
      requests: result.requests.total,
      p50: result.latency.p50,
      p99: result.latency.p99,
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
      statusCodes: result.statusCodeStats,
      unverified: checks.failed,
      checked: checks.checked,
      signaturesVerified: checks.signatures,
      failureReasons: checks.reasons,
      rssMb: server.rssMb(),
      processes: server.pids().length,
      serverCpu,
      loadCpu,
      // Cores' worth of CPU that other processes used, and that the hypervisor stole, meanwhile.
      backgroundCpu:
        machineBefore && machineAfter && serverCpu !== undefined
          ? Math.max(0, (machineAfter.busy - machineBefore.busy) / wall - serverCpu - loadCpu)
          : undefined,
      stolenCpu:
        machineBefore && machineAfter
          ? (machineAfter.steal - machineBefore.steal) / wall
          : undefined,
    };
  };
  scenario.warmup = await run(options.warmup);
  scenario.repeated = [];
  const ownCpuSeconds = () => processCpuSeconds() + (server.cpuSeconds() ?? 0);
  const log = (message) => console.log(`    ${id}: ${message}`);
  while (scenario.runs.length < options.runs && !server.exited) {
    // Full mode: start on a quiet machine, and repeat a run that others disturbed after all.
    if (!quick) await waitForQuiet(ownCpuSeconds, log);
    const counted = await run(options.duration);
    const disturbance = (counted.backgroundCpu ?? 0) + (counted.stolenCpu ?? 0);
    if (!quick && disturbance > DISTURBED && scenario.repeated.length < MAX_REPEATS) {
      log(`a run was disturbed (${disturbance.toFixed(2)} of a core taken by others): repeating`);
      scenario.repeated.push(counted);
      continue;
    }
    scenario.runs.push(counted);
  }
  if (server.exited) {
    scenario.error = `${server.name} exited during the run (${describe(server.exited)}):\n${server.tail()}`;
  }
  scenario.median = medianRun(scenario.runs);
  return scenario;
}

/** Runs `body` with the servers it starts, recording a failure instead of throwing. */
async function scenario(context, { id, label }, body) {
  const servers = [];
  const start = async (spec) => {
    // Pinned to the server core, or (pin: false) allowed every core, not just the bench's.
    const cores = context.pin ? (spec.pin === false ? ALL_CORES : SERVER_CORE) : undefined;
    const server = await Server.start({ ...spec, env: { ...spec.env, ...context.env }, cores });
    servers.push(server);
    return server;
  };
  try {
    for (const result of [await body(start)].flat()) context.record(result);
  } catch (error) {
    context.record({
      id,
      kind: 'http',
      label,
      error: error instanceof Error ? error.message : `${error}`,
    });
  } finally {
    for (const server of servers.reverse()) await server.stop();
  }
}

/**
 * The references for the framework's cost: a bare Nest + Fastify form POST (the issue's), and
 * the same route on Fastify alone, the floor under any Nest app.
 */
async function bareFormPost(context) {
  for (const { id, label, script } of [
    {
      id: 'bare-form-post',
      label: 'bare Nest + Fastify form POST',
      script: 'bench/bare-fastify-nest.mjs',
    },
    {
      id: 'bare-fastify-form-post',
      label: 'bare Fastify form POST (no Nest)',
      script: 'bench/bare-fastify.mjs',
    },
  ]) {
    await scenario(context, { id, label }, async (start) => {
      const server = await start({ name: id, script, readyLine: 'listening on' });
      return measure({
        id,
        label,
        server,
        request: { method: 'POST', path: '/connect/token', headers: FORM, body: POST_BODY },
        check: exactCheck('{"token_type":"Bearer","expires_in":3600,"scope":"api1"}'),
      });
    });
  }
}

function startIdentity(start, { alg, workers = 1 }) {
  return start({ ...identityServer({ alg, workers }), pin: workers === 1 });
}

/** a, b. The identity's token endpoint; with `workers`, a node:cluster of that many, unpinned. */
function identityToken(context, { id, alg, method, workers = 1 }) {
  const label =
    workers > 1
      ? `identity token ${alg} (${method}), ${workers} workers, unpinned`
      : `identity token ${alg} (client_secret_${method})`;
  return scenario(context, { id, label }, async (start) => {
    const server = await startIdentity(start, { alg, workers });
    return measure({
      id,
      label,
      server,
      request: tokenRequest(method),
      check: await tokenCheck({ baseUrl: server.url, alg }),
    });
  });
}

/** c. node-oidc-provider 9 with the same client, scope and RS256 JWT access tokens. */
function oidcProvider(context) {
  const id = 'oidc-provider-rs256';
  const label = 'node-oidc-provider 9 token RS256 (post)';
  return scenario(context, { id, label }, async (start) => {
    const server = await start({
      name: 'oidc-provider',
      script: 'bench/oidc-provider-server.mjs',
      readyLine: 'oidc-provider listening on',
    });
    return measure({
      id,
      label,
      server,
      request: { method: 'POST', path: '/token', headers: FORM, body: POST_BODY },
      check: await tokenCheck({ baseUrl: server.url, alg: 'RS256' }),
    });
  });
}

/** More distinct tokens than the guard's verified-token cache holds (10,000 by default). */
const UNCACHED_TOKENS = 20_000;

/**
 * e. weather-api GET /weatherforecast: with a valid token (one per connection, as clients reuse
 * theirs until it expires); in full mode also with a new token on every request, more than the
 * guard's verified-token cache holds, so each one is verified in full; then the same built app
 * with every guard switched off by the bench-only preload bench/no-guards.mjs (the same
 * requests, token included). Tokens come from an identity (RS256) pinned beside the API.
 */
function weatherApi(context) {
  const label = 'weather-api GET /weatherforecast';
  return scenario(context, { id: 'weather-authorized', label }, async (start) => {
    const identity = await startIdentity(start, { alg: 'RS256' });
    const perConnection = await mintTokens(identity, options.connections);
    const perRequest = quick ? undefined : await mintTokens(identity, UNCACHED_TOKENS);
    const variants = [
      { id: 'weather-authorized', variant: 'valid token', tokens: perConnection },
      perRequest && {
        id: 'weather-uncached',
        variant: 'a new token each request (cache misses)',
        tokensPerRequest: perRequest,
      },
      {
        id: 'weather-guard-off',
        variant: 'guard off',
        tokens: perConnection,
        nodeArgs: ['--import', './bench/no-guards.mjs'],
      },
    ].filter(Boolean);
    const results = [];
    for (const { id, variant, tokens, tokensPerRequest, nodeArgs = [] } of variants) {
      const api = await start(weatherApiServer(identity.url, { name: id, nodeArgs }));
      // The first call discovers the authority's keys; it must already succeed.
      await fetchJson(`${api.url}/weatherforecast`, {
        headers: { authorization: `Bearer ${perConnection[0]}` },
      });
      results.push(
        await measure({
          id,
          label: `${label}, ${variant}`,
          server: api,
          request: { method: 'GET', path: '/weatherforecast', headers: {} },
          tokens,
          tokensPerRequest,
          check: forecastCheck(),
        }),
      );
      await api.stop();
    }
    return results;
  });
}

// 1. Build (unpinned, with every core), then re-run this script pinned to the load core.
const PIN_STATE = 'BENCH_PINNED';
if (process.env[PIN_STATE] === undefined) {
  buildApps({ skip: flags['no-build'], log: (message) => console.log(`bench: ${message}`) });
  const pin = canPin();
  if (!pin) {
    console.warn(
      `bench: WARNING: taskset is unavailable or there are fewer than 2 CPUs (${availableParallelism()}): the servers and the load generator run unpinned and share the CPUs, so the figures are not comparable with pinned runs`,
    );
  }
  const argv = [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)];
  const [command, ...args] = pin
    ? ['taskset', '-c', LOAD_CORE, process.execPath, ...argv]
    : [process.execPath, ...argv];
  const child = spawn(command, args, {
    stdio: 'inherit',
    env: { ...process.env, [PIN_STATE]: pin ? 'yes' : 'no' },
  });
  // Ctrl-C reaches both processes; the child stops its servers and reports.
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  await main(process.env[PIN_STATE] === 'yes');
}

/**
 * An OTLP/HTTP sink for --tracing: answers every export at once and keeps only counts, so the
 * figures show what tracing costs the servers (spans, batching, JSON, the export requests).
 */
function startSpanSink() {
  let exports = 0;
  let bytes = 0;
  const server = createServer((request, response) => {
    request.on('data', (chunk) => (bytes += chunk.length));
    request.on('end', () => {
      if (request.url === '/v1/traces') exports++;
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const url = `http://127.0.0.1:${server.address().port}`;
      resolve({
        url,
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
        received: () => ({ exports, bytes }),
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

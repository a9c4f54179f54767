#!/usr/bin/env node
// `npm run demo`: starts the built identity and weather-api side by side, waits until both answer
// GET /health, prints the calls to try, and runs until Ctrl-C (or SIGTERM), which it forwards to
// both apps. If either app stops on its own, the other is stopped too and the demo fails.
//
// Ports: 5001 and 5003 (README "Quick start"); IDENTITY_PORT / WEATHER_API_PORT change them for the demo.
// Any other variable of either app (ISSUER, AUDIENCE...) passes through from the environment.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const STARTUP_TIMEOUT_MS = 30_000;
const SHUTDOWN_TIMEOUT_MS = 10_000;

const identityPort = port('IDENTITY_PORT', 5001);
const weatherApiPort = port('WEATHER_API_PORT', 5003);
const issuer = process.env.ISSUER || `http://localhost:${identityPort}`;

const apps = [
  {
    name: 'identity',
    port: identityPort,
    // So the weather-api's Swagger UI (another origin) may call the token endpoint.
    env: {
      PORT: String(identityPort),
      CORS_ORIGINS: process.env.CORS_ORIGINS || `http://localhost:${weatherApiPort}`,
    },
  },
  {
    name: 'weather-api',
    port: weatherApiPort,
    env: { PORT: String(weatherApiPort), AUTHORITY: process.env.AUTHORITY || issuer },
  },
];

for (const app of apps) {
  app.main = join(root, 'dist', 'apps', app.name, 'main.js');
  if (!existsSync(app.main)) fail(`${app.main} is missing: run \`npm run build\` first`);
}

let stopping = false;
let failed = false;

for (const app of apps) start(app);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => stopAll(signal, `received ${signal}`));
}
// Last resort (an exception in this script): never leave an app running behind.
process.on('exit', () => apps.forEach((app) => app.running && app.child.kill('SIGKILL')));

await waitUntilHealthy();
if (!stopping) printInstructions();

function start(app) {
  // Its own process group, so a terminal's Ctrl-C reaches the app once, through this script,
  // instead of twice (which would cut its graceful shutdown short).
  const child = spawn(process.execPath, [app.main], {
    cwd: root,
    env: { ...process.env, ...app.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  app.child = child;
  app.running = true;
  const prefix = `[${app.name}]`;
  createInterface({ input: child.stdout }).on('line', (line) =>
    process.stdout.write(`${prefix} ${line}\n`),
  );
  createInterface({ input: child.stderr }).on('line', (line) =>
    process.stderr.write(`${prefix} ${line}\n`),
  );
  child.on('error', (error) => {
    log(`cannot start ${app.name}: ${error.message}`);
    app.running = false;
    failed = true;
    stopAll('SIGTERM', `${app.name} did not start`);
  });
  child.on('exit', (code, signal) => {
    app.running = false;
    const how = signal ? `on ${signal}` : `with code ${code}`;
    if (stopping) {
      log(`${app.name} stopped (${how})`);
      if (code !== 0 && code !== null) failed = true;
    } else {
      log(`${app.name} exited ${how} before it was asked to stop`);
      failed = true;
      stopAll('SIGTERM', `${app.name} is gone`);
    }
    if (apps.every((other) => !other.running)) process.exit(failed ? 1 : 0);
  });
}

/** Sends `signal` to every app still running, once; SIGKILL if they outlive the timeout. */
function stopAll(signal, reason) {
  if (stopping) return;
  stopping = true;
  const running = apps.filter((app) => app.running);
  if (running.length === 0) process.exit(failed ? 1 : 0);
  log(`${reason}: stopping ${running.map((app) => app.name).join(' and ')}`);
  for (const app of running) app.child.kill(signal);
  sleep(SHUTDOWN_TIMEOUT_MS, undefined, { ref: false }).then(() => {
    for (const app of apps.filter((candidate) => candidate.running)) {
      log(`${app.name} did not stop within ${SHUTDOWN_TIMEOUT_MS / 1000}s: killing it`);
      app.child.kill('SIGKILL');
    }
  });
}

async function waitUntilHealthy() {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (const app of apps) {
    const url = `http://localhost:${app.port}/health`;
    while (!stopping && !(await answers200(url))) {
      if (Date.now() > deadline) {
        failed = true;
        stopAll('SIGTERM', `${url} did not answer 200 within ${STARTUP_TIMEOUT_MS / 1000}s`);
        return;
      }
      await sleep(200);
    }
  }
}

async function answers200(url) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

function printInstructions() {
  const tokenUrl = `http://localhost:${identityPort}/connect/token`;
  const requestToken = `curl -s -u client:secret -d grant_type=client_credentials -d scope=api1 ${tokenUrl}`;
  const readToken = `node -p 'JSON.parse(require("fs").readFileSync(0, "utf8")).access_token'`;
  const api = `http://localhost:${weatherApiPort}/weatherforecast`;
  console.log(
    [
      '',
      `[demo] identity on http://localhost:${identityPort} (issuer ${issuer}), weather-api on http://localhost:${weatherApiPort}`,
      '[demo] In another terminal, ask for a token (client "client", secret "secret"):',
      '',
      `  ${requestToken}`,
      '',
      '[demo] then call the API with it:',
      '',
      `  TOKEN=$(${requestToken} | ${readToken})`,
      `  curl -s -H "Authorization: Bearer $TOKEN" ${api}`,
      '',
      `[demo] Or open http://localhost:${weatherApiPort}/docs: Authorize with "client" / "secret", then Try it out.`,
      '',
      '[demo] Without the token, the API answers 401:',
      '',
      `  curl -si ${api}`,
      '',
      '[demo] Ctrl-C stops both apps.',
      '',
    ].join('\n'),
  );
}

function port(variable, fallback) {
  const value = process.env[variable];
  if (!value) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 65535) {
    fail(`${variable} must be a port number (1-65535), not "${value}"`);
  }
  return Number(value);
}

function log(message) {
  console.log(`[demo] ${message}`);
}

function fail(message) {
  console.error(`[demo] ${message}`);
  process.exit(1);
}

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { appLogStream } from './secrecy';

/** The repository root: the built apps are started from here, as `npm run start:*` does. */
export const repoRoot = resolve(__dirname, '..', '..');
export const seedConfigFile = join(repoRoot, 'config', 'identity.json');

export type AppName = 'identity' | 'weather-api' | 'forecast-client';

/** A built app running as a real process. */
export interface RunningApp {
  /** `http://localhost:<port>`: with the default ISSUER, the identity's issuer. */
  readonly url: string;
  readonly port: number;
  readonly process: ChildProcess;
  /** Stops the process (SIGTERM unless told otherwise; SIGKILL after 5 s) and waits for its exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Everything it printed so far, stdout and stderr interleaved. */
  output(): string;
}

export interface RunningIdentity extends RunningApp {
  readonly dataDir: string;
  readonly configFile: string;
}

/**
 * Variables of either app that the caller's own environment must not leak into a test. Above all
 * DATABASE_URL, which `.ci/run` sets for the tests: an identity gets PostgreSQL only when its test
 * passes `DATABASE_URL` itself, and the embedded SQLite store otherwise.
 */
const APP_VARIABLES = [
  'PORT',
  'ISSUER',
  'IDENTITY_CONFIG',
  'IDENTITY_DATA_DIR',
  'DATABASE_URL',
  'RATE_LIMIT',
  'REDIS_URL',
  'IDENTITY_RATE_LIMIT_CLIENT',
  'IDENTITY_RATE_LIMIT_ADDRESS',
  'IDENTITY_LOCKOUT_THRESHOLD',
  'IDENTITY_LOCKOUT_WINDOW',
  'IDENTITY_LOCKOUT_DURATION',
  'IDENTITY_LOCKOUT_MAX_DURATION',
  'IDENTITY_TRUST_PROXY',
  'CORS_ORIGINS',
  'IDENTITY_DPOP_NONCE',
  'OPENAPI_TOKEN_URL',
  'TLS_CERT_FILE',
  'TLS_KEY_FILE',
  'LOG_LEVEL',
  'SHUTDOWN_GRACE_PERIOD',
  'HTTP_REQUEST_TIMEOUT',
  'HTTP_KEEP_ALIVE_TIMEOUT',
  'NODE_ENV',
  'IDENTITY_SIGNING_ALG',
  'IDENTITY_KEY_ROTATION_PERIOD',
  'IDENTITY_KEY_PROPAGATION_TIME',
  'IDENTITY_KEY_RETENTION_TIME',
  'IDENTITY_KEY_ENCRYPTION_KEY',
  'AUTHORITY',
  'AUDIENCE',
  'CLOCK_SKEW',
  'REQUIRE_HTTPS_METADATA',
  'CLIENT_ID',
  'CLIENT_SECRET',
  'SCOPE',
  'WEATHER_API_URL',
];

const running = new Set<ChildProcess>();
const temporaryDirs = new Set<string>();

/**
 * Stops every app still running and removes every temporary directory of this test file. Jest
 * runs it after each file (registered below); specs still stop their apps themselves.
 */
export async function cleanUp(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((done) => {
          child.once('exit', () => done());
          child.kill('SIGKILL');
        }),
    ),
  );
  for (const dir of temporaryDirs) rmSync(dir, { recursive: true, force: true });
  temporaryDirs.clear();
}

// A root-level hook of whichever test file imports this module: runs after all its suites.
if (typeof afterAll === 'function') afterAll(cleanUp);
// The last resort, should the worker exit without running hooks.
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A fresh directory, removed when the test process exits. */
export function tempDir(prefix = 'e2e-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temporaryDirs.add(dir);
  return dir;
}

/** A port free right now on 127.0.0.1 (listen on port 0, close, return what the OS chose). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('no port assigned'));
        return;
      }
      server.close(() => resolvePort(address.port));
    });
  });
}

/**
 * The environment a test app gets: the caller's, minus app variables and OTEL_*, plus `env`
 * (undefined = unset).
 */
function appEnvironment(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const result: NodeJS.ProcessEnv = { ...process.env };
  for (const name of APP_VARIABLES) delete result[name];
  // OpenTelemetry's standard variables: a test turns tracing on itself (tracing.e2e-spec.ts).
  for (const name of Object.keys(result)) if (name.startsWith('OTEL_')) delete result[name];
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete result[name];
    else result[name] = value;
  }
  return result;
}

function spawnApp(app: AppName, env: NodeJS.ProcessEnv) {
  return spawnScript(join('dist', 'apps', app, 'main.js'), [], env);
}

function spawnScript(script: string, args: readonly string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [script, ...args], {
    cwd: repoRoot,
    env,
    detached: false,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const log = appLogStream(basename(dirname(script)), child.pid);
  child.once('exit', () => log.end());
  let all = '';
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    all += chunk;
    log.write(chunk);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    all += chunk;
    log.write(chunk);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      done({ code, signal });
    }),
  );
  return {
    child,
    exited,
    output: () => all,
    stdout: () => stdout,
    stderr: () => stderr,
  };
}

async function startApp(
  app: AppName,
  env: Record<string, string | undefined>,
  port: number,
  timeoutMs: number,
): Promise<RunningApp> {
  // An app given a certificate serves HTTPS only; the test trusts that certificate alone.
  const tlsCa = env.TLS_CERT_FILE === undefined ? undefined : readFileSync(env.TLS_CERT_FILE);
  const url = `${tlsCa ? 'https' : 'http'}://localhost:${port}`;
  const spawned = spawnApp(app, appEnvironment({ ...env, PORT: String(port) }));
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void spawned.exited.then((result) => (exit = result));

  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    if (exit) return;
    spawned.child.kill(signal);
    const killer = setTimeout(() => spawned.child.kill('SIGKILL'), 5000);
    await spawned.exited;
    clearTimeout(killer);
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exit) {
      throw new Error(
        `${app} exited (code ${exit.code}, signal ${exit.signal}) before GET ${url}/health ` +
          `answered 200. Its output:\n${spawned.output()}`,
      );
    }
    try {
      if ((await healthStatus(`${url}/health`, tlsCa)) === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop('SIGKILL');
      throw new Error(
        `${app} did not answer GET ${url}/health with 200 within ${timeoutMs} ms. ` +
          `Its output:\n${spawned.output()}`,
      );
    }
    await sleep(50);
  }
  return { url, port, process: spawned.child, stop, output: spawned.output };
}

export interface StartIdentityOptions {
  /** Extra variables; `undefined` unsets one. RATE_LIMIT defaults to `off` (a test rig). */
  env?: Record<string, string | undefined>;
  /** IDENTITY_DATA_DIR; a fresh temporary directory by default. */
  dataDir?: string;
  /** IDENTITY_CONFIG; the seed `config/identity.json` by default. */
  configFile?: string;
  /** Listen port; a free one by default. */
  port?: number;
  timeoutMs?: number;
}

/** Starts `dist/apps/identity/main.js` and waits until it answers `GET /health`. */
export async function startIdentity(options: StartIdentityOptions = {}): Promise<RunningIdentity> {
  const dataDir = options.dataDir ?? tempDir('identity-data-');
  const configFile = options.configFile ?? seedConfigFile;
  const port = options.port ?? (await freePort());
  const app = await startApp(
    'identity',
    { RATE_LIMIT: 'off', ...options.env, IDENTITY_DATA_DIR: dataDir, IDENTITY_CONFIG: configFile },
    port,
    options.timeoutMs ?? 20_000,
  );
  return { ...app, dataDir, configFile };
}

export interface StartWeatherApiOptions {
  /** Extra variables (AUTHORITY, AUDIENCE...); `undefined` unsets one. */
  env?: Record<string, string | undefined>;
  port?: number;
  timeoutMs?: number;
}

/** Starts `dist/apps/weather-api/main.js` and waits until it answers `GET /health`. */
export async function startWeatherApi(options: StartWeatherApiOptions = {}): Promise<RunningApp> {
  const port = options.port ?? (await freePort());
  return startApp('weather-api', options.env ?? {}, port, options.timeoutMs ?? 20_000);
}

/**
 * Starts `dist/apps/forecast-client/main.js` (the token client's example service) and waits until
 * it answers `GET /health`. Pass AUTHORITY, CLIENT_ID, CLIENT_SECRET, WEATHER_API_URL...
 */
export async function startForecastClient(
  options: StartWeatherApiOptions = {},
): Promise<RunningApp> {
  const port = options.port ?? (await freePort());
  return startApp('forecast-client', options.env ?? {}, port, options.timeoutMs ?? 20_000);
}

export interface ExitResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs an app expected to fail at start and returns how it ended. Fails (after killing it) if the
 * app is still running after `timeoutMs`. Variables as for startIdentity/startWeatherApi, with
 * nothing added: pass every variable the case needs.
 */
export async function runToExit(
  app: AppName,
  env: Record<string, string | undefined>,
  timeoutMs = 15_000,
): Promise<ExitResult> {
  const spawned = spawnApp(app, appEnvironment(env));
  const timer = setTimeout(() => spawned.child.kill('SIGKILL'), timeoutMs);
  const { code, signal } = await spawned.exited;
  clearTimeout(timer);
  if (signal === 'SIGKILL') {
    throw new Error(
      `${app} was still running after ${timeoutMs} ms. Its output:\n${spawned.output()}`,
    );
  }
  return { code, signal, stdout: spawned.stdout(), stderr: spawned.stderr() };
}

/** GET the health endpoint (over HTTPS trusting `ca` alone when given); the status, or throws. */
function healthStatus(url: string, ca: Buffer | undefined): Promise<number> {
  if (!ca) return fetch(url, { signal: AbortSignal.timeout(1000) }).then((r) => r.status);
  return new Promise((resolveStatus, reject) => {
    const request = httpsGet(url, { ca, timeout: 1000 }, (response) => {
      response.resume();
      resolveStatus(response.statusCode ?? 0);
    });
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', reject);
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

/** Retries `probe` until it returns true or `timeoutMs` passes; returns its last verdict. */
export async function eventually(
  probe: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 200,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() > deadline) return false;
    await sleep(intervalMs);
  }
}

/** The built identity CLI (`npm run identity -- …` runs it). */
export const IDENTITY_CLI = join('dist', 'apps', 'identity-cli', 'cli.js');

/**
 * Runs `npm run identity -- <args>` (the built CLI, without npm's banner) to its end. Variables as
 * for runToExit: nothing is inherited but PATH and the like, so pass IDENTITY_DATA_DIR,
 * IDENTITY_CONFIG and, for PostgreSQL, DATABASE_URL.
 */
export async function runIdentityCli(
  args: readonly string[],
  env: Record<string, string | undefined>,
  timeoutMs = 20_000,
): Promise<ExitResult> {
  const spawned = spawnScript(IDENTITY_CLI, args, appEnvironment(env));
  const timer = setTimeout(() => spawned.child.kill('SIGKILL'), timeoutMs);
  const { code, signal } = await spawned.exited;
  clearTimeout(timer);
  if (signal === 'SIGKILL') {
    throw new Error(
      `identity ${args.join(' ')} was still running after ${timeoutMs} ms. ` +
        `Its output:\n${spawned.output()}`,
    );
  }
  return { code, signal, stdout: spawned.stdout(), stderr: spawned.stderr() };
}

/** As runIdentityCli, but a non-zero exit is an error carrying the CLI's output. */
export async function identityCli(
  args: readonly string[],
  env: Record<string, string | undefined>,
): Promise<string> {
  const result = await runIdentityCli(args, env);
  if (result.code !== 0) {
    throw new Error(
      `identity ${args.join(' ')} exited with ${result.code}:\n${result.stdout}${result.stderr}`,
    );
  }
  return result.stdout;
}

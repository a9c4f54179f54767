import { Logger } from '@nestjs/common';
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';

/** The most workers IDENTITY_WORKERS may ask for. */
const MAX_WORKERS = 256;
/**
 * IDENTITY_WORKERS's row in docs/reference.md "Environment variables" (identityWorkers reads no
 * DTO): `npm run docs:reference` renders it, so the range stays MAX_WORKERS.
 */
export const IdentityWorkersDoc = {
  name: 'IDENTITY_WORKERS',
  default: '`1`',
  meaning: `\`auto\` (the CPUs Node may use) or 1 to ${MAX_WORKERS} processes sharing the port.`,
} as const;
/** A worker that dies after it started is replaced, at most this many times per window. */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;
/** On SIGTERM/SIGINT, workers that have not stopped after this long are killed. */
const SHUTDOWN_TIMEOUT_MS = 10_000;

/**
 * IDENTITY_WORKERS: how many processes serve the port. Unset or empty is 1 (no cluster); `auto`
 * is the number of CPUs Node may use. Throws, naming the variable, for anything else.
 */
export function identityWorkers(value = process.env.IDENTITY_WORKERS): number {
  if (value === undefined || value === '') return 1;
  if (value === 'auto') return availableParallelism();
  const count = /^[1-9][0-9]*$/.test(value) ? Number(value) : NaN;
  if (!(count <= MAX_WORKERS)) {
    throw new Error(`IDENTITY_WORKERS: must be auto or a whole number from 1 to ${MAX_WORKERS}`);
  }
  return count;
}

/**
 * The primary of a node:cluster of `count` identity workers sharing the port. Clients and keys
 * are in the shared database already, and the key store settles concurrent key creation by its
 * unique generation, so the workers need nothing from each other.
 *
 * - The first worker starts alone (it runs the migrations and creates the first key); the others
 *   start once it listens. If one of these exits before it listens, the whole cluster stops with
 *   code 1 (the worker has printed its own `cannot start` line).
 * - A worker that dies once they all run is replaced, at most MAX_RESTARTS times a minute (a
 *   replacement that cannot start counts as one more death); past that, the cluster stops with
 *   code 1.
 * - SIGTERM and SIGINT go to every worker, which closes as a single identity does; the primary
 *   exits when they all have (killing any still running after SHUTDOWN_TIMEOUT_MS).
 * - SIGHUP (reload IDENTITY_CONFIG) goes to every worker that listens, each reloading as a single
 *   identity does; a worker still starting gets it once it listens (before, SIGHUP would kill it).
 */
export function runPrimary(count: number): void {
  const logger = new Logger('Cluster');
  const listening = new WeakSet<Worker>();
  const restarts: number[] = [];
  let stopping: { signal: NodeJS.Signals | undefined; exitCode: number } | undefined;
  let othersForked = false;
  /** Workers that reached listen, replacements included: below `count`, still starting up. */
  let listened = 0;
  /** Workers that were starting when a SIGHUP came. */
  const reloadWhenListening = new WeakSet<Worker>();

  const live = () => Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w);

  const stop = (exitCode: number, signal?: NodeJS.Signals) => {
    if (stopping) return;
    stopping = { signal, exitCode };
    for (const worker of live()) worker.process.kill(signal ?? 'SIGTERM');
    setTimeout(() => {
      for (const worker of live()) worker.process.kill('SIGKILL');
    }, SHUTDOWN_TIMEOUT_MS).unref();
    if (live().length === 0) finish();
  };

  const finish = () => {
    if (!stopping) return;
    const { signal, exitCode } = stopping;
    if (signal) {
      // Die of the signal, as a single identity does after its shutdown hooks.
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else {
      process.exit(exitCode);
    }
  };

  cluster.on('listening', (worker) => {
    if (!listening.has(worker)) listened++;
    listening.add(worker);
    if (reloadWhenListening.delete(worker)) worker.process.kill('SIGHUP');
    if (!othersForked) {
      othersForked = true;
      for (let i = 1; i < count; i++) cluster.fork();
    }
  });

  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (live().length === 0) finish();
      return;
    }
    const how = signal ? `signal ${signal}` : `code ${code}`;
    if (!listening.has(worker) && listened < count) {
      logger.error(`worker ${worker.process.pid} exited (${how}) before it listened; stopping`);
      return stop(1);
    }
    const now = Date.now();
    while (restarts.length > 0 && restarts[0] <= now - RESTART_WINDOW_MS) restarts.shift();
    if (restarts.length >= MAX_RESTARTS) {
      logger.error(
        `worker ${worker.process.pid} exited (${how}); ${MAX_RESTARTS} restarts within a minute already, stopping`,
      );
      return stop(1);
    }
    restarts.push(now);
    logger.warn(`worker ${worker.process.pid} exited (${how}); starting another`);
    cluster.fork();
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => stop(0, signal));
  }
  process.on('SIGHUP', () => {
    if (stopping) return;
    for (const worker of live()) {
      if (listening.has(worker)) worker.process.kill('SIGHUP');
      else reloadWhenListening.add(worker);
    }
  });

  logger.log(`primary ${process.pid}: starting ${count} identity workers`);
  cluster.fork();
}

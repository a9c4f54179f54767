// Server processes for the bench: started pinned to the server core (taskset), watched, measured
// (RSS and CPU time from /proc) and stopped. Everything started here is stopped on exit.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const SERVER_CORE = '0';
export const LOAD_CORE = '1';
/** Every CPU: what an unpinned server gets (a child would otherwise inherit the bench's core). */
export const ALL_CORES = `0-${cpus().length - 1}`;

/** Whether `taskset -c <core>` works here for both cores (Linux, util-linux, 2+ CPUs). */
export function canPin() {
  if (availableParallelism() < 2) return false;
  return [SERVER_CORE, LOAD_CORE].every(
    (core) => spawnSync('taskset', ['-c', core, 'true'], { stdio: 'ignore' }).status === 0,
  );
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const live = new Set();
const tempDirs = new Set();

export function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

/** Kills whatever is still running and removes the temporary directories (on any exit). */
export function cleanUpNow() {
  for (const server of live) {
    try {
      process.kill(server.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

/** The environment a server gets: nothing of the bench's own but PATH, HOME and the locale. */
function serverEnvironment(env) {
  const base = { NODE_ENV: 'production' };
  for (const name of ['PATH', 'HOME', 'LANG', 'TZ']) {
    if (process.env[name] !== undefined) base[name] = process.env[name];
  }
  return { ...base, ...env };
}

export class Server {
  /**
   * Starts `node [nodeArgs] script`, under `taskset -c <cores>` when `cores` is given, then
   * waits until `readyLine` has appeared `readyCount` times in its output or, given `readyPath`,
   * until GET `readyPath` answers 200 (for a server whose log level hides its ready line).
   */
  static async start({
    name,
    script,
    nodeArgs = [],
    env = {},
    cores,
    readyLine,
    readyCount = 1,
    readyPath,
  }) {
    const port = await freePort();
    const node = [process.execPath, ...nodeArgs, script];
    const [command, ...args] = cores ? ['taskset', '-c', cores, ...node] : node;
    const child = spawn(command, args, {
      // ISSUER names the address the bench calls, so discovery's URLs are reachable from here.
      env: serverEnvironment({ PORT: String(port), ISSUER: `http://127.0.0.1:${port}`, ...env }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const server = new Server(name, child, port);
    server.cores = cores ?? 'any';
    await server.ready(
      readyPath
        ? () => server.answers(readyPath)
        : () => server.output.filter((line) => line.includes(readyLine)).length >= readyCount,
    );
    return server;
  }

  constructor(name, child, port) {
    this.name = name;
    this.child = child;
    this.pid = child.pid;
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.output = [];
    this.exit = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        live.delete(this);
        this.exited = { code, signal };
        resolve(this.exited);
      });
    });
    live.add(this);
    for (const stream of [child.stdout, child.stderr]) {
      stream.setEncoding('utf8');
      stream.on('data', (text) => {
        this.output.push(...text.split('\n').filter(Boolean));
        if (this.output.length > 200) this.output.splice(0, this.output.length - 200);
      });
    }
  }

  /** The last lines the server printed, for a failure message. */
  tail(lines = 15) {
    return this.output
      .slice(-lines)
      .map((line) => `    ${prefix(this)}| ${line.replace(/\x1b\[[0-9;]*m/g, '')}`) // eslint-disable-line no-control-regex
      .join('\n');
  }

  /** Waits until `isReady()` (polled) is true; fails when the server exits or times out. */
  async ready(isReady, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exited) {
        throw new Error(
          `${this.name} exited during start-up (${describe(this.exited)}):\n${this.tail()}`,
        );
      }
      if (await isReady()) return;
      await sleep(50);
    }
    throw new Error(`${this.name} did not start within ${timeoutMs / 1000} s:\n${this.tail()}`);
  }

  /** Whether GET `path` answers 200 (false while the server is not listening yet). */
  async answers(path) {
    try {
      const response = await fetch(`${this.url}${path}`, { signal: AbortSignal.timeout(1000) });
      await response.body?.cancel();
      return response.status === 200;
    } catch {
      return false;
    }
  }

  /** The pids of the server and of every process under it (a cluster's workers). */
  pids() {
    const pids = [];
    const visit = (pid) => {
      pids.push(pid);
      try {
        const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8');
        for (const child of children.split(' ').filter(Boolean)) visit(Number(child));
      } catch {
        // no /proc children file: count the server alone
      }
    };
    visit(this.pid);
    return pids;
  }

  /** Resident set size of the server's processes together, in MB (undefined without /proc). */
  rssMb() {
    let kb = 0;
    for (const pid of this.pids()) {
      try {
        const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        kb += Number(match?.[1] ?? 0);
      } catch {
        return undefined;
      }
    }
    return kb / 1024;
  }

  /** CPU seconds (user + system) used so far by the server's processes. */
  cpuSeconds() {
    let ticks = 0;
    for (const pid of this.pids()) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
      } catch {
        return undefined;
      }
    }
    return ticks / CLOCK_TICKS;
  }

  async stop() {
    if (this.exited) return this.exited;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exit;
    clearTimeout(timer);
    return this.exited;
  }
}

/**
 * CPU seconds the whole machine has spent busy (every process, the kernel) and stolen by the
 * hypervisor, from /proc/stat; undefined without it. A run's busy time minus the server's and
 * the bench's own is what other processes took: the bench reports it as background load.
 */
export function machineCpuSeconds() {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
    const [user, nice, system, , , irq, softirq, steal] = line.split(/\s+/).slice(1).map(Number);
    return {
      busy: (user + nice + system + irq + softirq) / CLOCK_TICKS,
      steal: steal / CLOCK_TICKS,
    };
  } catch {
    return undefined;
  }
}

const CLOCK_TICKS = (() => {
  const result = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  return Number(result.stdout) || 100;
})();

function prefix(server) {
  return server.name.padEnd(12).slice(0, 12);
}

export function describe({ code, signal }) {
  return signal ? `signal ${signal}` : `code ${code}`;
}

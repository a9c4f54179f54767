import {
  appendFileSync,
  createWriteStream,
  mkdirSync,
  readFileSync,
  readdirSync,
  type WriteStream,
} from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The log-secrecy check of the e2e run: every app process a spec starts writes its output to
 * `test-output/app-logs/`, and every secret or token a spec sends or receives is remembered in
 * `test-output/secrets-used.txt`. Two scans use them: the log-secrecy spec scans the logs of its
 * own processes for its own secrets (so it passes alone and in any order), and the e2e global
 * teardown (`test/support/e2e-global-teardown.ts`), which runs once every spec has finished,
 * scans every app log of the run for every secret of the run. `test/support/e2e-global-setup.js`
 * empties the folder when an e2e run starts.
 */
export const testOutputDir = resolve(__dirname, '..', '..', 'test-output');
export const appLogDir = join(testOutputDir, 'app-logs');
const secretsFile = join(testOutputDir, 'secrets-used.txt');

/** Shorter values ("secret", "api1") also occur as ordinary words; their Basic encodings are scanned. */
const SCANNED_MIN_LENGTH = 10;
let logCount = 0;

// Jest gives each spec file its own instance of this module: what it started and sent.
const logsOfThisSpecFile: string[] = [];
const secretsOfThisSpecFile = new Set<string>();

/** A file that receives everything one app process prints. */
export function appLogStream(app: string, pid: number | undefined): WriteStream {
  mkdirSync(appLogDir, { recursive: true });
  const name = `${app}-${process.pid}-${pid ?? 'none'}-${++logCount}.log`;
  logsOfThisSpecFile.push(name);
  return createWriteStream(join(appLogDir, name), { flags: 'a' });
}

/** Remembers credentials or tokens that went over the wire, for the log scan. */
export function rememberSecrets(...values: (string | undefined)[]): void {
  const scanned = values.filter(
    (value): value is string => value !== undefined && value.length >= SCANNED_MIN_LENGTH,
  );
  if (scanned.length === 0) return;
  for (const value of scanned) secretsOfThisSpecFile.add(value);
  mkdirSync(testOutputDir, { recursive: true });
  appendFileSync(secretsFile, scanned.map((value) => `${JSON.stringify(value)}\n`).join(''));
}

/** Every secret or token remembered by any spec file of this e2e run. */
export function secretsUsed(): string[] {
  let text: string;
  try {
    text = readFileSync(secretsFile, 'utf8');
  } catch {
    return [];
  }
  const lines = text.split('\n').filter((line) => line !== '');
  return [...new Set(lines.map((line) => JSON.parse(line) as string))];
}

/** The secrets and tokens the calling spec file remembered. */
export function secretsUsedByThisSpecFile(): string[] {
  return [...secretsOfThisSpecFile];
}

/** Every log file of this e2e run: the apps' and the CLI's. */
export function appLogs(): { file: string; text: string }[] {
  let files: string[];
  try {
    files = readdirSync(appLogDir);
  } catch {
    return [];
  }
  return files.map((file) => ({ file, text: readFileSync(join(appLogDir, file), 'utf8') }));
}

/** The log files of the processes the calling spec file started. */
export function appLogsOfThisSpecFile(): { file: string; text: string }[] {
  return logsOfThisSpecFile.map((file) => ({
    file,
    text: readFileSync(join(appLogDir, file), 'utf8'),
  }));
}

/**
 * The lines of the apps' logs (not of the CLI, whose job is to print a newly generated secret
 * once; forecast-client is the token client's example service), each with its file.
 */
export function appLogLines(
  logs: { file: string; text: string }[],
): { file: string; line: string }[] {
  return logs
    .filter(({ file }) => /^(identity|weather-api|forecast-client)-\d/.test(file))
    .flatMap(({ file, text }) => text.split('\n').map((line) => ({ file, line })));
}

/** Each app log line holding one of `secrets`, as it is or JSON-escaped, named for a failure message. */
export function leaksOf(
  secrets: readonly string[],
  lines: { file: string; line: string }[],
): string[] {
  return secrets.flatMap((secret) => {
    const escaped = JSON.stringify(secret).slice(1, -1);
    return lines
      .filter(({ line }) => line.includes(secret) || line.includes(escaped))
      .map(({ file, line }) => `${file}: ${secret.slice(0, 12)}… in ${line.slice(0, 300)}`);
  });
}

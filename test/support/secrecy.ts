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
 * `test-output/secrets-used.txt`. The last spec (log-secrecy) looks for each of them in every log.
 * `test/support/e2e-global-setup.js` empties the folder when an e2e run starts.
 */
export const testOutputDir = resolve(__dirname, '..', '..', 'test-output');
export const appLogDir = join(testOutputDir, 'app-logs');
const secretsFile = join(testOutputDir, 'secrets-used.txt');

/** Shorter values ("secret", "api1") also occur as ordinary words; their Basic encodings are scanned. */
const SCANNED_MIN_LENGTH = 10;
let logCount = 0;

/** A file that receives everything one app process prints. */
export function appLogStream(app: string, pid: number | undefined): WriteStream {
  mkdirSync(appLogDir, { recursive: true });
  const name = `${app}-${process.pid}-${pid ?? 'none'}-${++logCount}.log`;
  return createWriteStream(join(appLogDir, name), { flags: 'a' });
}

/** Remembers credentials or tokens that went over the wire, for the log scan. */
export function rememberSecrets(...values: (string | undefined)[]): void {
  const scanned = values.filter(
    (value): value is string => value !== undefined && value.length >= SCANNED_MIN_LENGTH,
  );
  if (scanned.length === 0) return;
  mkdirSync(testOutputDir, { recursive: true });
  appendFileSync(secretsFile, scanned.map((value) => `${JSON.stringify(value)}\n`).join(''));
}

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

export function appLogs(): { file: string; text: string }[] {
  let files: string[];
  try {
    files = readdirSync(appLogDir);
  } catch {
    return [];
  }
  return files.map((file) => ({ file, text: readFileSync(join(appLogDir, file), 'utf8') }));
}

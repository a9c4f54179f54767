import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** The repository root, where docker-compose.yml, the Dockerfile and .env.example live. */
export const ROOT = join(__dirname, '..', '..');

export function readRepoFile(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8');
}

// --- docker-compose.yml --------------------------------------------------------------------------

export interface ComposeService {
  readonly image?: string;
  readonly build?: unknown;
  readonly command?: readonly string[];
  readonly profiles?: readonly string[];
  readonly environment?: Readonly<Record<string, string>>;
  readonly ports?: readonly string[];
  readonly volumes?: readonly string[];
  readonly depends_on?: Readonly<Record<string, { readonly condition?: string }>>;
  readonly healthcheck?: { readonly test?: readonly string[] };
}

export interface ComposeFile {
  readonly services: Readonly<Record<string, ComposeService>>;
  readonly volumes?: Readonly<Record<string, unknown>>;
}

/** docker-compose.yml as compose reads it: anchors and `<<` merge keys applied, not interpolated. */
export function readComposeFile(path = 'docker-compose.yml'): ComposeFile {
  return parse(readRepoFile(path), { merge: true }) as ComposeFile;
}

/** One `${NAME:-default}` (or `${NAME-default}`, `${NAME}`, `$NAME`) in a compose value. */
export interface VariableReference {
  readonly name: string;
  readonly default?: string;
}

const REFERENCE =
  /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

export function variableReferences(value: string): VariableReference[] {
  return [...value.matchAll(REFERENCE)]
    .filter(([whole]) => whole !== '$$')
    .map(([, braced, operator, fallback, bare]) =>
      operator === undefined ? { name: braced ?? bare } : { name: braced, default: fallback },
    );
}

/**
 * The value compose gives a container when none of the variables is set (no .env file): each
 * reference becomes its default, `$$` a `$`. A reference without a default has no such value.
 */
export function withDefaults(value: string): string {
  return value.replace(REFERENCE, (whole, _name?: string, operator?: string, fallback?: string) => {
    if (whole === '$$') return '$';
    if (operator === undefined) throw new Error(`${whole} has no default`);
    return fallback ?? '';
  });
}

/** Every string anywhere in the file, with where it is, for the variable references in it. */
export function allStrings(node: unknown, path = ''): { path: string; value: string }[] {
  if (typeof node === 'string') return [{ path, value: node }];
  if (Array.isArray(node)) return node.flatMap((item, i) => allStrings(item, `${path}[${i}]`));
  if (typeof node === 'object' && node !== null) {
    return Object.entries(node).flatMap(([key, item]) =>
      allStrings(item, path ? `${path}.${key}` : key),
    );
  }
  return [];
}

/** `'5001:5001'` → host 5001, container 5001 (after defaults). */
export function publishedPort(mapping: string): { host: number; container: number } {
  const match = /^(?:[\d.]+:)?(\d+):(\d+)(?:\/tcp)?$/.exec(withDefaults(mapping));
  if (!match) throw new Error(`unsupported port mapping ${mapping}`);
  return { host: Number(match[1]), container: Number(match[2]) };
}

/** The URL a healthcheck probes, if it is an HTTP probe. */
export function healthcheckUrl(service: ComposeService): URL | undefined {
  const found = (service.healthcheck?.test ?? [])
    .map((part) => /https?:\/\/[^'"\s]+/.exec(part)?.[0])
    .find((url) => url !== undefined);
  return found === undefined ? undefined : new URL(found);
}

// --- nginx ---------------------------------------------------------------------------------------

export interface NginxUpstreams {
  /** `host:port` of every `server` in an `upstream` block. */
  readonly servers: string[];
  readonly listen: number[];
}

export function readNginxUpstreams(path: string): NginxUpstreams {
  const text = readRepoFile(path).replace(/#.*$/gm, '');
  const upstreamBlocks = [...text.matchAll(/upstream\s+\S+\s*\{([^}]*)\}/g)].map((m) => m[1]);
  return {
    servers: upstreamBlocks.flatMap((block) =>
      [...block.matchAll(/^\s*server\s+([^\s;]+)/gm)].map((m) => m[1]),
    ),
    listen: [...text.matchAll(/^\s*listen\s+(\d+)\s*;/gm)].map((m) => Number(m[1])),
  };
}

// --- Dockerfile ----------------------------------------------------------------------------------

export interface DockerfileInstruction {
  readonly keyword: string;
  readonly args: string;
}

/** Instructions in order, continuation lines joined, comments dropped. */
export function readDockerfile(path = 'Dockerfile'): DockerfileInstruction[] {
  const logicalLines = readRepoFile(path)
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((line) => line.trim() !== '');
  return logicalLines.map((line) => {
    const [, keyword, args] = /^\s*(\S+)\s*(.*)$/.exec(line) ?? [];
    return { keyword: keyword.toUpperCase(), args: args.trim() };
  });
}

/** The instructions from the last FROM on: what the image that runs is made of. */
export function finalStage(
  instructions: readonly DockerfileInstruction[],
): DockerfileInstruction[] {
  const lastFrom = instructions.map((i) => i.keyword).lastIndexOf('FROM');
  return instructions.slice(lastFrom);
}

// --- .env.example --------------------------------------------------------------------------------

/** `# ---- identity ----` → its `# NAME=default` lines, by name. */
export type EnvExampleSections = Map<string, Map<string, string>>;

export function readEnvExample(path = '.env.example'): EnvExampleSections {
  const sections: EnvExampleSections = new Map();
  let current: Map<string, string> | undefined;
  for (const line of readRepoFile(path).split('\n')) {
    const heading = /^# -{4} (.+) -{4}$/.exec(line);
    if (heading) {
      current = new Map();
      sections.set(heading[1], current);
      continue;
    }
    const variable = /^#? ?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!variable) continue;
    if (!current) throw new Error(`${variable[1]} is listed before any section heading`);
    if (current.has(variable[1])) throw new Error(`${variable[1]} is listed twice in a section`);
    current.set(variable[1], variable[2]);
  }
  return sections;
}

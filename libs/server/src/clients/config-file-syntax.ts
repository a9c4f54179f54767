import { extname } from 'node:path';
import { ConfigurationError } from '@nest-identity/shared';
import { LineCounter, isAlias, isScalar, parseDocument, visit, type Node } from 'yaml';

/** By the file's extension: `.yaml`/`.yml` is YAML, anything else JSON (the default). */
export type ConfigFileSyntax = 'json' | 'yaml';

export function configFileSyntax(path: string): ConfigFileSyntax {
  return /^\.ya?ml$/i.test(extname(path)) ? 'yaml' : 'json';
}

/**
 * Aliases may repeat a list (`allowedScopes: *common`), but an alias of aliases grows
 * exponentially ("billion laughs"): past this many nodes copied through aliases, refuse.
 */
export const MAX_YAML_ALIAS_EXPANSION = 100;

/**
 * The configuration file's text as plain data, or a ConfigurationError naming `path` and each
 * problem's line and column. Validation comes after and is the same for both syntaxes. An error
 * never quotes the file beyond one character: a secret put there by mistake must not reach logs.
 */
export function parseConfigFileText(text: string, path: string): unknown {
  // Editors on Windows may save a byte-order mark, which neither parser wants.
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const parsed = configFileSyntax(path) === 'yaml' ? parseYaml(source) : parseJson(source);
  if ('problems' in parsed) throw new ConfigurationError(path, parsed.problems);
  return parsed.value;
}

type Parsed = { value: unknown } | { problems: string[] };

function parseJson(text: string): Parsed {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    // V8's message has no position in every case and may quote the file: say it ourselves.
    const offset = jsonSyntaxErrorOffset(text);
    if (offset === undefined) return { problems: ['not valid JSON'] };
    const what =
      offset >= text.length
        ? 'the file ends too soon (fix: close every string, { and [)'
        : `unexpected ${JSON.stringify(text[offset])}`;
    return { problems: [`${lineAndColumn(text, offset)}: not valid JSON: ${what}`] };
  }
}

function parseYaml(text: string): Parsed {
  const lines = new LineCounter();
  const document = parseDocument(text, {
    lineCounter: lines,
    prettyErrors: false, // their context lines quote the file
    version: '1.2', // whatever a %YAML directive says: no 1.1 `yes` booleans, dates or merge keys
    schema: 'core',
    merge: false,
    uniqueKeys: true,
    strict: true,
  });
  const at = (offset: number) => {
    const { line, col } = lines.linePos(offset);
    return `line ${line}, column ${col}`;
  };
  const problems = [...document.errors, ...document.warnings].map(
    (error) => `${at(error.pos[0])}: not valid YAML: ${yamlProblem(error.code, error.message)}`,
  );
  visit(document, {
    Pair(_, pair) {
      const key = pair.key as Node | null;
      if (isScalar(key) && typeof key.value === 'string') return;
      const offset = key?.range?.[0] ?? (pair.value as Node | null)?.range?.[0] ?? 0;
      problems.push(
        `${at(offset)}: a mapping key must be a string, not ${describeKey(key)} (fix: quote it)`,
      );
    },
  });
  if (problems.length > 0) return { problems };
  if (document.contents === null) {
    return { problems: ['is empty (fix: write apiScopes:, apiResources:, clients:)'] };
  }
  try {
    return { value: document.toJS({ maxAliasCount: MAX_YAML_ALIAS_EXPANSION }) as unknown };
  } catch (error) {
    const message = (error as Error).message;
    return {
      problems: [
        /resource exhaustion/.test(message)
          ? `not valid YAML: aliases expand to more than ${MAX_YAML_ALIAS_EXPANSION} nodes (fix: write the values out instead of nesting aliases)`
          : `not valid YAML: ${message}`,
      ],
    };
  }
}

function yamlProblem(code: string, message: string): string {
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'a key appears twice in one mapping (fix: keep only one)';
    case 'MULTIPLE_DOCS':
      return 'the file holds several documents (fix: keep one, without `---` between parts)';
    case 'TAG_RESOLVE_FAILED':
      return `${message} (fix: remove the tag)`;
    case 'TAB_AS_INDENT':
      return 'a tab indents a line (fix: indent with spaces)';
    default:
      return message;
  }
}

function describeKey(key: Node | null): string {
  if (key === null) return 'an empty key';
  if (isAlias(key)) return 'an alias';
  if (isScalar(key))
    return key.value === null ? 'null' : `the ${typeof key.value} ${JSON.stringify(key.value)}`;
  return 'a collection';
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}

const JSON_LITERAL = /true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const JSON_ESCAPE = /["\\/bfnrt]|u[0-9a-fA-F]{4}/y;

/**
 * Where a JSON text stops being JSON (RFC 8259), by a plain recursive descent: the offset of the
 * first character that cannot continue it, the text's length when it ends too soon, undefined
 * when it finds nothing wrong.
 */
export function jsonSyntaxErrorOffset(text: string): number | undefined {
  let i = 0;
  const stop = (): never => {
    throw new JsonStop(i);
  };
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const expect = (char: string) => (text[i] === char ? i++ : stop());
  const string = () => {
    expect('"');
    while (text[i] !== '"') {
      if (i >= text.length || text[i] < ' ') stop();
      if (text[i] === '\\') {
        JSON_ESCAPE.lastIndex = ++i;
        if (!JSON_ESCAPE.test(text)) stop();
        i = JSON_ESCAPE.lastIndex;
      } else i++;
    }
    i++;
  };
  const members = (close: string, member: () => void) => {
    i++;
    space();
    if (text[i] === close) return void i++;
    for (;;) {
      member();
      space();
      if (text[i] === close) return void i++;
      expect(',');
    }
  };
  const value = (): void => {
    space();
    if (text[i] === '{') {
      members('}', () => {
        space();
        string();
        space();
        expect(':');
        value();
      });
    } else if (text[i] === '[') {
      members(']', value);
    } else if (text[i] === '"') {
      string();
    } else {
      JSON_LITERAL.lastIndex = i;
      if (!JSON_LITERAL.test(text)) stop();
      i = JSON_LITERAL.lastIndex;
    }
  };
  try {
    value();
    space();
    return i < text.length ? i : undefined;
  } catch (error) {
    // Anything else (a stack overflow on absurd nesting): no position to give.
    return error instanceof JsonStop ? Math.min(error.offset, text.length) : undefined;
  }
}

class JsonStop extends Error {
  constructor(readonly offset: number) {
    super(`not JSON from offset ${offset}`);
  }
}

import { getMetadataStorage, type MetadataStorage } from 'class-validator';
import { IdentityWorkersDoc } from '../libs/server/src/cluster';
import { documentedSettings, type SettingDoc } from '../libs/shared/src/config/documented';
import {
  ApiResourceDefinition,
  ApiScopeDefinition,
  ClientDefinition,
  ClientSecretDefinition,
  IdentityConfigFile,
} from '../libs/shared/src/config/identity-config-file';
import { IdentityEnvironment } from '../libs/shared/src/config/identity-environment';
import { ServerEnvironment } from '../libs/shared/src/config/server-environment';
import { WeatherApiEnvironment } from '../libs/shared/src/config/weather-api-environment';

/**
 * The generated sections of docs/reference.md, rendered from the DTOs' class-validator rules, their
 * default values and their @Documented text, so the reference cannot drift from what is validated.
 * `npm run docs:reference` writes them; scripts/config-reference.spec.ts fails when they differ.
 */

type Validation = ReturnType<MetadataStorage['getTargetValidationMetadatas']>[number];
type Dto = new () => object;

/** A row that no DTO field carries (a variable read elsewhere), placed after one that does. */
interface ExtraRow {
  readonly after: string;
  readonly name: string;
  readonly default: string;
  readonly meaning: string;
}

interface EnvironmentTable {
  readonly heading: string;
  readonly dto: Dto;
  readonly extraRows?: readonly ExtraRow[];
}

const ENVIRONMENT_TABLES: readonly EnvironmentTable[] = [
  { heading: 'Both apps', dto: ServerEnvironment },
  {
    heading: 'Identity',
    dto: IdentityEnvironment,
    extraRows: [{ after: 'REDIS_URL', ...IdentityWorkersDoc }],
  },
  { heading: 'Weather-api', dto: WeatherApiEnvironment },
];

/** The "Environment variables" tables (`<!-- generated: environment -->`). */
export function renderEnvironmentReference(): string {
  return ENVIRONMENT_TABLES.map(
    ({ heading, dto, extraRows }) =>
      `### ${heading}\n\n${renderTable(environmentRows(dto, extraRows))}`,
  ).join('\n\n');
}

interface ConfigFileTable {
  readonly heading: string;
  /** A line between the heading and the table. */
  readonly intro?: string;
  readonly dto: Dto;
}

const CONFIG_FILE_TABLES: readonly ConfigFileTable[] = [
  { heading: 'Top level', dto: IdentityConfigFile },
  { heading: 'API scopes', dto: ApiScopeDefinition },
  { heading: 'API resources', dto: ApiResourceDefinition },
  { heading: 'Clients', dto: ClientDefinition },
  {
    heading: 'Secrets',
    intro: '`clients[].clientSecrets[]` and `apiResources[].apiSecrets[]`:',
    dto: ClientSecretDefinition,
  },
];

/** The "Configuration file" tables (`<!-- generated: configuration-file -->`). */
export function renderConfigFileReference(): string {
  return CONFIG_FILE_TABLES.map(({ heading, intro, dto }) =>
    [
      `### ${heading}`,
      ...(intro ? [intro] : []),
      renderTable(configFileRows(dto), FILE_HEADER),
    ].join('\n\n'),
  ).join('\n\n');
}

/** Every generated section, by its marker's name. */
export function renderGeneratedSections(): ReadonlyMap<string, string> {
  return new Map([
    ['environment', renderEnvironmentReference()],
    ['configuration-file', renderConfigFileReference()],
  ]);
}

/** The rows of a configuration file object's fields: field, type, default, rule. */
export function configFileRows(dto: Dto): string[][] {
  const defaults = new dto() as Record<string, unknown>;
  const docs = documentedSettings(dto);
  const undocumented = declaredProperties(dto).filter((property) => !docs.has(property));
  if (undocumented.length > 0) {
    throw new Error(`${dto.name}: ${undocumented.join(', ')} lack @Documented`);
  }
  return [...docs].map(([property, doc]) => {
    if ('sameRowAs' in doc) throw new Error(`${dto.name}.${property}: no shared rows here`);
    const validations = ownValidations(dto, property);
    return [
      `\`${property}\``,
      doc.type ?? derivedType(dto, property, validations),
      fileDefaultCell(defaults[property], validations),
      fileRuleCell(dto, property, doc.meaning, validations),
    ];
  });
}

const STRING_VALIDATORS = new Set([
  'isString',
  'matches',
  'isClientId',
  'isSha256Base64',
  'isIso8601',
  'isAbsoluteUri',
  'isJwksUri',
]);

/** The JSON type the validators demand; a nested object's shape is declared with `type`. */
function derivedType(dto: Dto, property: string, validations: readonly Validation[]): string {
  const plainly = validations.filter((validation) => !validation.each);
  const has = (name: string) => plainly.some((validation) => validation.name === name);
  const isIn = plainly.find((validation) => validation.name === 'isIn');
  if (isIn)
    return (isIn.constraints[0] as unknown[]).map((value) => `\`${plain(value)}\``).join(' \\| ');
  if (has('isBoolean')) return 'boolean';
  if (has('isInt')) return 'integer';
  if (has('isArray')) {
    const each = validations.filter((validation) => validation.each);
    if (each.length > 0 && each.every((validation) => validation.name === 'isString'))
      return 'string[]';
  } else if (plainly.some((validation) => STRING_VALIDATORS.has(validation.name ?? ''))) {
    return 'string';
  }
  throw new Error(`${dto.name}.${property}: declare its type, the validators do not tell it`);
}

function fileDefaultCell(value: unknown, validations: readonly Validation[]): string {
  if (value !== undefined)
    return `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``;
  // IsOptional and ValidateIf both register as conditional validation: the field may be absent.
  const optional = validations.some((validation) => validation.type === 'conditionalValidation');
  return optional ? '—' : 'required';
}

/** The rule cell: only a range is derived here (the type and default columns carry the rest). */
function fileRuleCell(
  dto: Dto,
  property: string,
  meaning: string,
  validations: readonly Validation[],
): string {
  const min = validations.find((validation) => validation.name === 'min')?.constraints[0] as
    number | undefined;
  const max = validations.find((validation) => validation.name === 'max')?.constraints[0] as
    number | undefined;
  const rule = min !== undefined && max !== undefined ? `${min} to ${max}` : undefined;
  return withRule(`${dto.name}.${property}`, meaning, rule);
}

const FILE_HEADER = ['field', 'type', 'default', 'rule'] as const;

/** The rows of the fields `dto` declares itself (its base class has its own table). */
export function environmentRows(dto: Dto, extraRows: readonly ExtraRow[] = []): string[][] {
  const defaults = new dto() as Record<string, unknown>;
  const docs = documentedSettings(dto);
  const names = new Map<string, string[]>();
  for (const [property, doc] of docs) {
    if ('sameRowAs' in doc) {
      const row = names.get(doc.sameRowAs);
      if (!row)
        throw new Error(`${dto.name}.${property}: sameRowAs ${doc.sameRowAs}, declared after it`);
      row.push(property);
    } else {
      names.set(property, [property]);
    }
  }
  const rows: string[][] = [];
  for (const [property, sharing] of names) {
    const doc = docs.get(property) as Exclude<SettingDoc, { sameRowAs: string }>;
    rows.push([
      sharing.map((name) => `\`${name}\``).join(', '),
      defaultCell(dto, property, defaults[property], doc.default),
      meaningCell(dto, property, doc.meaning),
    ]);
    for (const extra of extraRows.filter((row) => row.after === property)) {
      rows.push([`\`${extra.name}\``, extra.default, extra.meaning]);
    }
  }
  const undocumented = declaredProperties(dto).filter((property) => !docs.has(property));
  if (undocumented.length > 0) {
    throw new Error(`${dto.name}: ${undocumented.join(', ')} lack @Documented`);
  }
  return rows;
}

function defaultCell(dto: Dto, property: string, value: unknown, declared?: string): string {
  if (declared !== undefined) {
    // A declared text may only stand in for a missing default, never hide a real one.
    if (value !== undefined && value !== '') {
      throw new Error(`${dto.name}.${property}: its default is ${plain(value)}, not "${declared}"`);
    }
    return declared;
  }
  if (value === undefined) return 'unset';
  if (value === '') {
    throw new Error(`${dto.name}.${property}: an empty default needs a declared text`);
  }
  return `\`${plain(value)}\``;
}

/** A default as the environment spells it: lists comma-separated (REQUIRED_CLAIMS). */
function plain(value: unknown): string {
  if (Array.isArray(value)) return value.map(plain).join(',');
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  return JSON.stringify(value);
}

function meaningCell(dto: Dto, property: string, meaning: string): string {
  return withRule(`${dto.name}.${property}`, meaning, derivedRule(ownValidations(dto, property)));
}

/** `meaning` with its `{rule}` replaced; a derivable rule must have its place, and only it. */
function withRule(field: string, meaning: string, rule: string | undefined): string {
  const placeholder = meaning.includes('{rule}');
  if (rule !== undefined && !placeholder) {
    throw new Error(`${field}: its meaning must say {rule} (${rule})`);
  }
  if (rule === undefined && placeholder) {
    throw new Error(`${field}: {rule} in its meaning, but no rule to derive`);
  }
  return rule === undefined ? meaning : meaning.replace('{rule}', rule);
}

/** The rule a reader needs, from the validators that state one plainly; undefined for patterns. */
export function derivedRule(validations: readonly Validation[]): string | undefined {
  const byName = (name: string) => validations.find((validation) => validation.name === name);
  const isIn = byName('isIn');
  if (isIn && !isIn.each) return oneOf(isIn.constraints[0] as readonly unknown[]);
  if (byName('isInt')) {
    const min = byName('min')?.constraints[0] as number | undefined;
    const max = byName('max')?.constraints[0] as number | undefined;
    if (min !== undefined && max !== undefined) return `Integer ${min} to ${max}`;
    if (min !== undefined) return `Integer at least ${min}`;
    if (max !== undefined) return `Integer at most ${max}`;
    return 'Integer';
  }
  if (byName('isDuration')) return 'Duration';
  if (byName('isRate')) return 'Rate';
  if (byName('isHttpUrl')) return 'http(s) URL';
  if (byName('isBoolean')) return '`true` or `false`';
  return undefined;
}

function oneOf(values: readonly unknown[]): string {
  const quoted = values.map((value) => `\`${String(value)}\``);
  return quoted.length === 1
    ? quoted[0]
    : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
}

function ownValidations(dto: Dto, property: string): Validation[] {
  return getMetadataStorage()
    .getTargetValidationMetadatas(dto, '', true, false)
    .filter((validation) => validation.propertyName === property);
}

/** The fields `dto` itself validates (its base class's have their own table). */
function declaredProperties(dto: Dto): string[] {
  const properties = (target: Dto) =>
    getMetadataStorage()
      .getTargetValidationMetadatas(target, '', true, false)
      .map((validation) => validation.propertyName);
  const inherited = new Set(properties(Object.getPrototypeOf(dto) as Dto));
  return [...new Set(properties(dto))].filter((property) => !inherited.has(property));
}

/** A Markdown table padded as prettier pads it, so `prettier --check` accepts the output. */
export function renderTable(
  rows: readonly (readonly string[])[],
  header: readonly string[] = HEADER,
): string {
  const widths = header.map((title, column) =>
    Math.max(3, width(title), ...rows.map((row) => width(row[column]))),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => cell + ' '.repeat(widths[column] - width(cell))).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const HEADER = ['name', 'default', 'rule and meaning'] as const;

function width(text: string): number {
  return [...text].length;
}

const begin = (section: string) => `<!-- generated: ${section} -->\n`;
const END = '<!-- end generated -->';

/** Where a section's content lies: after its opening marker, up to its closing one. */
function sectionBounds(markdown: string, section: string): { start: number; end: number } {
  const opening = markdown.indexOf(begin(section));
  const end = opening < 0 ? -1 : markdown.indexOf(END, opening);
  if (end < 0) throw new Error(`docs/reference.md lacks "${begin(section).trim()}" … "${END}"`);
  return { start: opening + begin(section).length, end };
}

/** The text between a section's markers, without the blank line either side. */
export function generatedSection(markdown: string, section: string): string {
  const { start, end } = sectionBounds(markdown, section);
  return markdown.slice(start, end).replace(/^\n/, '').replace(/\n\n$/, '');
}

/** `markdown` with each generated section replaced by its content. */
export function withGeneratedSections(
  markdown: string,
  sections: ReadonlyMap<string, string>,
): string {
  let result = markdown;
  for (const [section, content] of sections) {
    const { start, end } = sectionBounds(result, section);
    result = `${result.slice(0, start)}\n${content}\n\n${result.slice(end)}`;
  }
  return result;
}

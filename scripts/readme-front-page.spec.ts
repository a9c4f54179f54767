import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TracingVariables } from '@nest-identity/shared/hosting';
import { generatedSection } from './config-reference';

// The README is the front page: short, and its settings table lists every environment variable
// (the interface contract promises that table). docs/reference.md's generated environment tables,
// rendered from the DTOs, are the list of variables the apps read.

const root = join(__dirname, '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const reference = readFileSync(join(root, 'docs', 'reference.md'), 'utf8');

const MAX_README_LINES = 250;

/** `name@app` for each variable of a table's first column (a cell may name several). */
function variablesOfRow(firstCell: string, app: string): string[] {
  return [...firstCell.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map(([, name]) => `${name}@${app}`);
}

/** The body rows of the Markdown tables in `markdown`, as cells, with the heading above each. */
function tableRows(markdown: string): { heading: string; cells: string[] }[] {
  const rows: { heading: string; cells: string[] }[] = [];
  let heading = '';
  let header = true;
  for (const line of markdown.split('\n')) {
    const title = /^#{1,6}\s+(.*)$/.exec(line);
    if (title) heading = title[1].trim();
    if (!line.startsWith('|')) {
      header = true;
      continue;
    }
    const cells = line
      .slice(1, line.endsWith('|') ? -1 : undefined)
      .split('|')
      .map((cell) => cell.trim());
    if (header) {
      header = cells.every((cell) => /^:?-+:?$/.test(cell)) ? false : header;
      continue;
    }
    rows.push({ heading, cells });
  }
  return rows;
}

/** Variables of docs/reference.md's generated environment section, by app heading. */
function referenceVariables(markdown: string): Set<string> {
  const apps: Record<string, string> = {
    'Both apps': 'both',
    Identity: 'identity',
    'Weather-api': 'weather-api',
  };
  const variables = new Set<string>();
  for (const { heading, cells } of tableRows(generatedSection(markdown, 'environment'))) {
    const app = apps[heading];
    if (app === undefined) throw new Error(`docs/reference.md: a table under "${heading}"`);
    for (const variable of variablesOfRow(cells[0], app)) variables.add(variable);
  }
  return variables;
}

/** Variables of the README's "Every setting" table (columns: variable, app, default, meaning). */
function readmeVariables(markdown: string): Set<string> {
  const start = markdown.search(/^### Every setting$/m);
  if (start < 0) throw new Error('README.md has no "### Every setting" section');
  const rest = markdown.slice(markdown.indexOf('\n', start) + 1);
  const next = rest.search(/^#{1,3} /m);
  const section = next < 0 ? rest : rest.slice(0, next);
  const variables = new Set<string>();
  for (const { cells } of tableRows(section)) {
    for (const variable of variablesOfRow(cells[0], cells[1])) variables.add(variable);
  }
  return variables;
}

describe('README.md, the front page', () => {
  it(`is at most ${MAX_README_LINES} lines`, () => {
    expect(readme.split('\n').length - (readme.endsWith('\n') ? 1 : 0)).toBeLessThanOrEqual(
      MAX_README_LINES,
    );
  });

  it("lists in its settings table every variable of docs/reference.md's, for the same app", () => {
    const documented = referenceVariables(reference);
    expect(documented.size).toBeGreaterThan(40);
    // Tracing's standard OTEL_* variables are OpenTelemetry's, not a DTO's: their list is the one
    // the apps read them by.
    for (const variable of TracingVariables) documented.add(`${variable}@both`);
    expect([...readmeVariables(readme)].sort()).toEqual([...documented].sort());
  });

  it('notices a dropped row', () => {
    const row = readme.split('\n').find((line) => line.startsWith('| `AUDIENCE`'));
    expect(row).toBeDefined();
    const withoutRow = readme.replace(`${row}\n`, '');
    expect(readmeVariables(withoutRow).has('AUDIENCE@weather-api')).toBe(false);
    expect(readmeVariables(readme).has('AUDIENCE@weather-api')).toBe(true);
  });
});

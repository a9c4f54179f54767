import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const links = require('./check-doc-links.cjs') as {
  githubSlug(heading: string): string;
  anchorsOf(markdown: string): Set<string>;
  brokenLinks(file: string, root: string): string[];
  documentationFiles(root: string): string[];
};

describe('the documentation link check', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'doc-links-'));
    mkdirSync(join(root, 'docs'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('makes anchors as GitHub does, inline code and repeats included', () => {
    expect(links.githubSlug('Token endpoint: `POST /connect/token`')).toBe(
      'token-endpoint-post-connecttoken',
    );
    expect(links.githubSlug('Beyond client secrets and bearer tokens')).toBe(
      'beyond-client-secrets-and-bearer-tokens',
    );
    expect([...links.anchorsOf('# Setup\n## Setup\n```\n# not a heading\n```\n')]).toEqual([
      'setup',
      'setup-1',
    ]);
  });

  it('accepts links that resolve and names each one that does not', () => {
    writeFileSync(join(root, 'docs', 'guide.md'), '# Guide\n## Running it\n');
    writeFileSync(
      join(root, 'README.md'),
      [
        '# Front',
        '[ok](docs/guide.md) [ok](docs/guide.md#running-it) [ok](#front) [web](https://x.test/#a)',
        '`[code](nowhere.md)` is not a link',
        '[gone](docs/missing.md) [stale](docs/guide.md#old-heading) [self](#nothing)',
      ].join('\n'),
    );
    expect(links.documentationFiles(root).map((file) => file.slice(root.length))).toEqual([
      '/README.md',
      '/docs/guide.md',
    ]);
    expect(links.brokenLinks(join(root, 'README.md'), root)).toEqual([
      'README.md:4: docs/missing.md (no such file)',
      'README.md:4: docs/guide.md#old-heading (no such heading)',
      'README.md:4: #nothing (no such heading)',
    ]);
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigurationError } from '@nest-identity/shared';
import { clientsAlsoInDatabase, loadIdentityConfigFile } from './config-file';
import { jsonSyntaxErrorOffset } from './config-file-syntax';

const repoRoot = resolve(__dirname, '..', '..', '..', '..');
const SECRET_HASH = 'K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=';

const validYaml = `apiScopes:
  - name: api1
apiResources:
  - name: api1
    scopes: [api1]
clients:
  - clientId: client
    clientSecrets:
      - value: ${SECRET_HASH}
        expiration: 2030-01-01T00:00:00Z
    allowedGrantTypes: [client_credentials]
    allowedScopes: [api1]
`;

describe('loadIdentityConfigFile', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'config-file-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  let count = 0;
  function write(extension: string, text: string): string {
    const path = join(dir, `identity-${++count}${extension}`);
    writeFileSync(path, text);
    return path;
  }

  /** The one-line message the identity prints, which must name the file. */
  async function failure(path: string): Promise<string> {
    try {
      await loadIdentityConfigFile(path);
    } catch (error) {
      if (!(error instanceof ConfigurationError)) throw error;
      expect(error.message.startsWith(`${path} is invalid: `)).toBe(true);
      expect(error.message).not.toContain('\n');
      return error.message.slice(`${path} is invalid: `.length);
    }
    throw new Error('expected a ConfigurationError');
  }

  it('reads config/identity.example.yaml as the same configuration as config/identity.json', async () => {
    const json = await loadIdentityConfigFile(join(repoRoot, 'config', 'identity.json'));
    const yaml = await loadIdentityConfigFile(join(repoRoot, 'config', 'identity.example.yaml'));
    expect(yaml).toEqual(json);
  });

  it.each(['.yaml', '.yml', '.YML'])('reads a %s file as YAML, with the defaults', async (ext) => {
    const config = await loadIdentityConfigFile(write(ext, validYaml));
    expect(config.clients[0]).toMatchObject({
      clientId: 'client',
      enabled: true,
      accessTokenLifetime: 3600,
      // YAML 1.2: an unquoted date stays the string the DTO validates.
      clientSecrets: [{ value: SECRET_HASH, expiration: '2030-01-01T00:00:00Z' }],
    });
  });

  it.each([
    'm2m:client%1',
    'urn:acme:billing',
    'spiffe://example.org/ns/prod/sa/billing',
    'my client',
  ])('accepts the client id %j: any RFC 6749 VSCHAR string', async (clientId) => {
    const text = validYaml.replace('clientId: client', `clientId: ${JSON.stringify(clientId)}`);
    const config = await loadIdentityConfigFile(write('.yaml', text));
    expect(config.clients[0].clientId).toBe(clientId);
  });

  it('names the CLI fix for a duplicated id as one shell word, however the id is spelt', () => {
    const clients = [{ clientId: 'my client' }, { clientId: "o'brien" }, { clientId: 'urn:a:b' }];
    expect(
      clientsAlsoInDatabase(clients as never, ['my client', "o'brien", 'urn:a:b']).map((problem) =>
        problem.slice(problem.indexOf('clients delete ')),
      ),
    ).toEqual([
      "clients delete 'my client')",
      "clients delete 'o'\\''brien')",
      'clients delete urn:a:b)',
    ]);
  });

  it.each([
    ['a control character', 'a\\u0001b'],
    ['a non-ASCII character', 'caf\\u00e9'],
  ])('refuses a client id with %s', async (_case, escaped) => {
    const text = validYaml.replace('clientId: client', `clientId: "${escaped}"`);
    expect(await failure(write('.yaml', text))).toBe(
      'clients[0].clientId: must be 1 to 200 printable ASCII characters (RFC 6749 VSCHAR: space to "~"), no control or non-ASCII character',
    );
  });

  it('reads any other extension as JSON, the default', async () => {
    const path = write('.conf', validYaml);
    expect(await failure(path)).toMatch(/^line 1, column 1: not valid JSON: unexpected "a"$/);
  });

  describe('YAML hazards are refused, each with its line and column', () => {
    it('a key repeated in one mapping (JSON.parse would keep the last silently)', async () => {
      const path = write(
        '.yaml',
        validYaml.replace(
          '    allowedScopes: [api1]',
          '    allowedScopes: [api1]\n    allowedScopes: []',
        ),
      );
      expect(await failure(path)).toBe(
        'line 13, column 5: not valid YAML: a key appears twice in one mapping (fix: keep only one)',
      );
    });

    it('an alias bomb ("billion laughs"), before it expands', async () => {
      const bomb = [
        'a: &a [x, x, x, x, x, x, x, x, x, x]',
        'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
        'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
        'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
        'clients: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]',
      ].join('\n');
      expect(await failure(write('.yaml', bomb))).toBe(
        'not valid YAML: aliases expand to more than 100 nodes (fix: write the values out instead of nesting aliases)',
      );
    });

    it('lets a plain alias reuse a list', async () => {
      const shared = validYaml
        .replace('    scopes: [api1]', '    scopes: &api1-scopes [api1]')
        .replace('allowedScopes: [api1]', 'allowedScopes: *api1-scopes');
      const config = await loadIdentityConfigFile(write('.yaml', shared));
      expect(config.clients[0].allowedScopes).toEqual(['api1']);
    });

    it.each([
      ['a number', 'clients: []\n1: x\n', 'line 2, column 1', 'the number 1'],
      ['a boolean', 'true: x\n', 'line 1, column 1', 'the boolean true'],
      ['null', '~: x\n', 'line 1, column 1', 'null'],
      ['a collection', '? [a, b]\n: x\n', 'line 1, column 3', 'a collection'],
    ])('a key that is %s', async (_, text, where, what) => {
      expect(await failure(write('.yaml', text))).toBe(
        `${where}: a mapping key must be a string, not ${what} (fix: quote it)`,
      );
    });

    it('a tag', async () => {
      expect(await failure(write('.yaml', 'clients: !custom []\n'))).toBe(
        'line 1, column 10: not valid YAML: Unresolved tag: !custom (fix: remove the tag)',
      );
    });

    it('several documents', async () => {
      expect(await failure(write('.yaml', 'clients: []\n---\nclients: []\n'))).toMatch(
        /^line 2, column 1: not valid YAML: the file holds several documents/,
      );
    });

    it('YAML 1.1 readings even under a %YAML 1.1 directive: `yes` is no boolean, `<<` no merge', async () => {
      const text = `%YAML 1.1\n---\n${validYaml.replace('    allowedScopes', '    enabled: yes\n    allowedScopes')}`;
      expect(await failure(write('.yaml', text))).toBe(
        'clients[0].enabled: must be a boolean value',
      );
      expect(await failure(write('.yaml', '<<: {clients: []}\n'))).toMatch(
        /^<<: is not a known property/,
      );
    });

    it('a broken structure', async () => {
      expect(await failure(write('.yaml', 'clients:\n  - clientId: "x\n'))).toBe(
        'line 3, column 1: not valid YAML: Missing closing "quote',
      );
    });

    it('an empty file, or one that is not a mapping', async () => {
      expect(await failure(write('.yaml', '# nothing\n'))).toBe(
        'is empty (fix: write apiScopes:, apiResources:, clients:)',
      );
      expect(await failure(write('.yaml', '- clients\n'))).toBe(
        'must be an object at the top level (fix: give it apiScopes, apiResources and clients)',
      );
    });
  });

  describe('a JSON syntax error gives its line and column, never the text around it', () => {
    it.each([
      [
        'a stray comma',
        '{\n  "clients": [\n    1,,\n  ]\n}',
        'line 3, column 7: not valid JSON: unexpected ","',
      ],
      [
        'a missing comma',
        '{\n  "apiScopes": []\n  "clients": []\n}',
        'line 3, column 3: not valid JSON: unexpected "\\""',
      ],
      [
        'an unclosed object',
        '{"clients": [',
        'line 1, column 14: not valid JSON: the file ends too soon (fix: close every string, { and [)',
      ],
      ['a comment', '{ // no\n}', 'line 1, column 3: not valid JSON: unexpected "/"'],
      [
        'an empty file',
        '',
        'line 1, column 1: not valid JSON: the file ends too soon (fix: close every string, { and [)',
      ],
    ])('%s', async (_, text, message) => {
      expect(await failure(write('.json', text))).toBe(message);
    });

    it('does not echo what the file holds', async () => {
      const message = await failure(
        write('.json', '{"clients": [{"clientSecrets": [{"value": "hunter2-in-clear"}]},,]}'),
      );
      expect(message).not.toContain('hunter2');
    });

    it('locates exactly where JSON.parse stops accepting', () => {
      const valid = JSON.stringify({ a: [1, -2.5e3, true, null, 'x\\"\u00e9'], b: {} });
      expect(jsonSyntaxErrorOffset(valid)).toBeUndefined();
      expect(jsonSyntaxErrorOffset('{"a": 01}')).toBe(7);
      expect(jsonSyntaxErrorOffset('"\\x"')).toBe(2);
      expect(jsonSyntaxErrorOffset('{"a": 1} x')).toBe(9);
    });
  });

  describe('every validation problem names the path and, where it is obvious, the fix', () => {
    const valid = {
      apiScopes: [{ name: 'api1' }],
      clients: [
        { clientId: 'client', clientSecrets: [{ value: SECRET_HASH }], allowedScopes: ['api1'] },
      ],
    };
    const client = valid.clients[0];

    it.each([
      [
        'a secret in clear',
        { ...valid, clients: [{ ...client, clientSecrets: [{ value: 'secret' }] }] },
        "clients[0].clientSecrets[0].value: must be base64(SHA-256(secret)), never the secret itself (fix: hash it with `npm run hash-secret -- '<secret>'` and put what it prints here)",
      ],
      [
        'an unknown scope',
        { ...valid, clients: [{ ...client, allowedScopes: ['api1', 'api9'] }] },
        'clients[0].allowedScopes[1]: scope "api9" is not defined in apiScopes (fix: define it in apiScopes or remove it)',
      ],
      [
        'a misspelt property',
        { ...valid, clients: [{ ...client, allowedScope: ['api1'] }] },
        'clients[0].allowedScope: is not a known property (fix: did you mean "allowedScopes"?)',
      ],
      [
        'an unknown property',
        { ...valid, colour: 'red' },
        'colour: is not a known property (fix: remove it; known here: apiScopes, apiResources, clients)',
      ],
      [
        'a client defined twice',
        { ...valid, clients: [client, client] },
        'clients[1].clientId: "client" is defined twice (fix: remove one, or rename it)',
      ],
      [
        'a top level that is no object',
        [],
        'must be an object at the top level (fix: give it apiScopes, apiResources and clients)',
      ],
    ])('%s', async (_, config, message) => {
      expect(await failure(write('.json', JSON.stringify(config)))).toBe(message);
    });

    it('in YAML too', async () => {
      const path = write(
        '.yml',
        validYaml.replace('allowedScopes: [api1]', 'allowedScopes: [api1, api9]'),
      );
      expect(await failure(path)).toBe(
        'clients[0].allowedScopes[1]: scope "api9" is not defined in apiScopes (fix: define it in apiScopes or remove it)',
      );
    });
  });

  it('a file that does not exist', async () => {
    const path = join(dir, 'missing.yaml');
    expect(await failure(path)).toBe(
      'cannot be read: there is no such file (fix: set IDENTITY_CONFIG to its path)',
    );
  });
});

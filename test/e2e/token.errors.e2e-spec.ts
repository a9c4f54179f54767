import {
  clients,
  postToken,
  rawRequest,
  startIdentity,
  writeRichConfig,
  TOKEN_PATH,
  type RunningIdentity,
  type TokenRequestOptions,
  type WireResponse,
} from '../support';

// The error table of docs/protocols/token-endpoint-errors.md, row by row: status, exact `error`, no-store, and the Basic
// challenge exactly when the client tried the Authorization header.
describe('POST /connect/token: errors', () => {
  let identity: RunningIdentity;

  beforeAll(async () => {
    identity = await startIdentity({ configFile: writeRichConfig() });
  });
  afterAll(() => identity?.stop());

  const grant = { grant_type: 'client_credentials' };
  const { standard } = clients;

  function expectError(response: WireResponse, status: number, error: string): void {
    expect({ status: response.status, body: response.json }).toEqual({
      status,
      body: { error, error_description: expect.any(String) },
    });
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  }

  describe('401 invalid_client', () => {
    const cases: [string, TokenRequestOptions, 'basic' | 'none'][] = [
      [
        'unknown client (basic)',
        { form: grant, basic: { id: 'nobody', secret: 'secret' } },
        'basic',
      ],
      ['unknown client (post)', { form: grant, post: { id: 'nobody', secret: 'secret' } }, 'none'],
      [
        'wrong secret (basic)',
        { form: grant, basic: { id: standard.id, secret: 'wrong' } },
        'basic',
      ],
      ['wrong secret (post)', { form: grant, post: { id: standard.id, secret: 'wrong' } }, 'none'],
      ['empty secret (basic)', { form: grant, basic: { id: standard.id, secret: '' } }, 'basic'],
      ['missing secret (post)', { form: { ...grant, client_id: standard.id } }, 'none'],
      [
        'expired secret (basic)',
        { form: grant, basic: { id: clients.rotating.id, secret: clients.rotating.expired } },
        'basic',
      ],
      [
        'expired secret (post)',
        { form: grant, post: { id: clients.rotating.id, secret: clients.rotating.expired } },
        'none',
      ],
      ['disabled client (basic)', { form: grant, basic: clients.disabled }, 'basic'],
      ['disabled client (post)', { form: grant, post: clients.disabled }, 'none'],
      ['no client authentication', { form: grant }, 'none'],
      [
        'another scheme in Authorization is no client authentication',
        { form: grant, headers: { authorization: 'Bearer abc.def.ghi' } },
        'none',
      ],
    ];

    it.each(cases)('%s', async (_, request, challenge) => {
      const response = await postToken(identity.url, request);

      expectError(response, 401, 'invalid_client');
      if (challenge === 'basic') {
        expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm="[^"]+"$/);
      } else {
        expect(response.headers.get('www-authenticate')).toBeNull();
      }
    });

    it('gives one description for every cause, hinting at none of them', async () => {
      const descriptions = new Set<unknown>();
      for (const [, request] of cases) {
        const response = await postToken(identity.url, request);
        descriptions.add((response.json as { error_description?: unknown }).error_description);
      }

      expect(descriptions.size).toBe(1);
      const [description] = [...descriptions] as [string];
      expect(description).not.toMatch(/unknown|secret|expired|disabled|nobody|rotating|client "/i);
    });
  });

  describe('400 invalid_request', () => {
    it.each<[string, TokenRequestOptions]>([
      ['grant_type missing', { form: { scope: 'api1' }, basic: standard }],
      ['grant_type empty', { form: { grant_type: '' }, basic: standard }],
      [
        'grant_type repeated',
        {
          form: [
            ['grant_type', 'client_credentials'],
            ['grant_type', 'client_credentials'],
          ],
          basic: standard,
        },
      ],
      [
        'scope repeated',
        {
          form: [
            ['grant_type', 'client_credentials'],
            ['scope', 'api1'],
            ['scope', 'api1'],
          ],
          basic: standard,
        },
      ],
      [
        'client_id repeated (post)',
        {
          form: [
            ['grant_type', 'client_credentials'],
            ['client_id', standard.id],
            ['client_id', standard.id],
            ['client_secret', standard.secret],
          ],
        },
      ],
      [
        'two authentication methods: Basic and client_secret in the body',
        { form: { ...grant, client_secret: standard.secret }, basic: standard },
      ],
      [
        'Basic and a different client_id in the body',
        { form: { ...grant, client_id: 'other' }, basic: standard },
      ],
      [
        'JSON body',
        {
          body: JSON.stringify({
            ...grant,
            client_id: standard.id,
            client_secret: standard.secret,
          }),
          contentType: 'application/json',
          basic: standard,
        },
      ],
      [
        'text/plain body',
        { body: 'grant_type=client_credentials', contentType: 'text/plain', basic: standard },
      ],
      ['no Content-Type', { body: 'grant_type=client_credentials', basic: standard }],
      [
        'multipart/form-data body',
        {
          body: '--x\r\nContent-Disposition: form-data; name="grant_type"\r\n\r\nclient_credentials\r\n--x--\r\n',
          contentType: 'multipart/form-data; boundary=x',
          basic: standard,
        },
      ],
    ])('%s', async (_, request) => {
      const response = await postToken(identity.url, request);

      expectError(response, 400, 'invalid_request');
    });

    it.each([
      ['not base64', 'Basic !!!not-base64!!!'],
      ['no credentials after the scheme', 'Basic'],
      ['no ":" separator', `Basic ${Buffer.from('client').toString('base64')}`],
      ['an empty client id', `Basic ${Buffer.from(':secret').toString('base64')}`],
      ['bad percent-encoding', `Basic ${Buffer.from('%zz:secret').toString('base64')}`],
    ])('a malformed Basic header: %s', async (_, authorization) => {
      const response = await postToken(identity.url, {
        form: grant,
        headers: { authorization },
      });

      expectError(response, 400, 'invalid_request');
    });
  });

  it('400 unsupported_grant_type for a grant the server does not support', async () => {
    for (const grantType of ['password', 'authorization_code', 'urn:x:unknown']) {
      const response = await postToken(identity.url, {
        form: { grant_type: grantType },
        basic: standard,
      });
      expectError(response, 400, 'unsupported_grant_type');
    }
  });

  it('400 unauthorized_client for a client not allowed the grant', async () => {
    const response = await postToken(identity.url, { form: grant, basic: clients.noGrant });

    expectError(response, 400, 'unauthorized_client');
  });

  describe('400 invalid_scope', () => {
    it.each<[string, { id: string; secret: string }, string]>([
      ['an unknown scope', standard, 'nope'],
      ['an unknown scope beside an allowed one', standard, 'api1 nope'],
      ['a defined scope the client is not allowed', standard, 'api2'],
      ['a malformed scope (double quote)', standard, 'api1 "x"'],
      ['a malformed scope (backslash)', standard, 'a\\b'],
      ['a malformed scope (non-ASCII)', standard, 'api1 é'],
      ['only spaces', standard, '   '],
    ])('%s', async (_, client, scope) => {
      const response = await postToken(identity.url, { form: { ...grant, scope }, basic: client });

      expectError(response, 400, 'invalid_scope');
    });

    it('a client allowed no scope that omits scope', async () => {
      const response = await postToken(identity.url, { form: grant, basic: clients.noScope });

      expectError(response, 400, 'invalid_scope');
    });
  });

  it('413 invalid_request for a body over the size limit (64 KiB)', async () => {
    const response = await postToken(identity.url, {
      form: { ...grant, padding: 'a'.repeat(64 * 1024) },
      basic: standard,
    });

    expectError(response, 413, 'invalid_request');
  });

  describe('the checks run in a fixed order', () => {
    it('malformed request before client authentication', async () => {
      const response = await postToken(identity.url, {
        body: '{"grant_type":"password"}',
        contentType: 'application/json',
        basic: { id: 'nobody', secret: 'x' },
      });

      expectError(response, 400, 'invalid_request');
    });

    it('client authentication before the grant type', async () => {
      const response = await postToken(identity.url, {
        form: { grant_type: 'password', scope: 'nope' },
        basic: { id: standard.id, secret: 'wrong' },
      });

      expectError(response, 401, 'invalid_client');
    });

    it('no client authentication before the grant type', async () => {
      const response = await postToken(identity.url, { form: { grant_type: 'password' } });

      expectError(response, 401, 'invalid_client');
      expect(response.headers.get('www-authenticate')).toBeNull();
    });

    it('grant type supported before grant allowed and scope', async () => {
      const response = await postToken(identity.url, {
        form: { grant_type: 'password', scope: 'nope' },
        basic: clients.noGrant,
      });

      expectError(response, 400, 'unsupported_grant_type');
    });

    it('grant allowed before scope', async () => {
      const response = await postToken(identity.url, {
        form: { ...grant, scope: 'nope' },
        basic: clients.noGrant,
      });

      expectError(response, 400, 'unauthorized_client');
    });
  });

  describe('never a 5xx for anything a client sends', () => {
    const basic = (text: string | Buffer) =>
      `Basic ${(typeof text === 'string' ? Buffer.from(text) : text).toString('base64')}`;
    const form = 'application/x-www-form-urlencoded';

    it.each<[string, { headers: Record<string, string>; body?: Buffer | string }]>([
      ['empty form, no authentication', { headers: { 'content-type': form }, body: '' }],
      [
        'bad percent-encoding in the body',
        { headers: { 'content-type': form }, body: '%%%=%zz&grant_type=%E0%A4%A' },
      ],
      [
        'NUL bytes in the body',
        {
          headers: { 'content-type': form },
          body: 'grant_type=client\u0000_credentials&client_id=\u0000',
        },
      ],
      [
        'names without values',
        { headers: { 'content-type': form }, body: '=&=&&grant_type&client_id=&scope' },
      ],
      [
        'prototype names',
        {
          headers: { 'content-type': form },
          body: '__proto__=x&constructor=y&toString=z&hasOwnProperty=1',
        },
      ],
      [
        'bracketed names',
        {
          headers: { 'content-type': form },
          body: 'grant_type[]=client_credentials&scope[a]=api1',
        },
      ],
      [
        'a 10 KiB client_id',
        {
          headers: { 'content-type': form },
          body: `grant_type=client_credentials&client_id=${'x'.repeat(10240)}&client_secret=s`,
        },
      ],
      [
        'a form in UTF-16',
        {
          headers: { 'content-type': `${form}; charset=utf-16` },
          body: Buffer.from('grant_type=client_credentials', 'utf16le'),
        },
      ],
      ['a garbage media type', { headers: { 'content-type': 'a/b/c;;;=' }, body: 'x' }],
      [
        'a truncated JSON body',
        { headers: { 'content-type': 'application/json' }, body: '{"grant_type":' },
      ],
      [
        'binary noise',
        {
          headers: { 'content-type': 'application/octet-stream' },
          body: Buffer.from([0, 255, 1, 254, 13, 10]),
        },
      ],
      [
        'Basic with bytes that are not UTF-8',
        {
          headers: {
            'content-type': form,
            authorization: basic(Buffer.from([0xff, 0xfe, 0x3a, 0xc3])),
          },
          body: 'grant_type=client_credentials',
        },
      ],
      [
        'Basic with an 8 KiB value',
        {
          headers: { 'content-type': form, authorization: `Basic ${'QUFB'.repeat(2048)}` },
          body: 'grant_type=client_credentials',
        },
      ],
      [
        'Basic with a control character in the id',
        {
          headers: { 'content-type': form, authorization: basic('a%00b:c') },
          body: 'grant_type=client_credentials',
        },
      ],
      [
        'Basic with extra spaces and padding',
        {
          headers: { 'content-type': form, authorization: 'Basic    Y2xpZW50OnNlY3JldA==   ' },
          body: 'grant_type=client_credentials',
        },
      ],
      [
        'lower-case basic',
        {
          headers: { 'content-type': form, authorization: 'basic Y2xpZW50OnNlY3JldA==' },
          body: 'grant_type=client_credentials&scope=%00',
        },
      ],
      [
        'an empty Authorization header',
        {
          headers: { 'content-type': form, authorization: '' },
          body: 'grant_type=client_credentials',
        },
      ],
      [
        'a chunked body over the limit',
        {
          headers: { 'content-type': form, 'transfer-encoding': 'chunked' },
          body: `grant_type=${'a'.repeat(100_000)}`,
        },
      ],
      [
        'a scope of 2000 names',
        {
          headers: { 'content-type': form, authorization: basic('client:secret') },
          body: `grant_type=client_credentials&scope=${'api1+'.repeat(2000)}`,
        },
      ],
    ])('%s', async (_, { headers, body }) => {
      const response = await rawRequest(`${identity.url}${TOKEN_PATH}`, { headers, body });

      expect(response.status).toBeLessThan(500);
      if (response.status !== 200) {
        expect(JSON.parse(response.text)).toEqual({
          error: expect.stringMatching(
            /^(invalid_request|invalid_client|unsupported_grant_type|unauthorized_client|invalid_scope)$/,
          ),
          error_description: expect.any(String),
        });
        expect(response.headers['cache-control']).toBe('no-store');
      }
    });

    it.each(['GET', 'PUT', 'DELETE', 'PATCH'])('%s /connect/token', async (method) => {
      const response = await rawRequest(`${identity.url}${TOKEN_PATH}`, { method });

      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
    });

    it('the identity is still healthy afterwards', async () => {
      const response = await fetch(`${identity.url}/health`);

      expect(response.status).toBe(200);
    });
  });
});

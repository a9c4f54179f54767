import { generateKeyPairSync } from 'node:crypto';
import { IdentityConfigFile, crossCheckIdentityConfig } from './identity-config-file';
import { ConfigurationError, validateWith } from './validate-config';

const SECRET_HASH = 'K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=';

function problemsOf(plain: unknown): string[] {
  try {
    const config = validateWith(IdentityConfigFile, plain, 'identity.json');
    return crossCheckIdentityConfig(config);
  } catch (error) {
    if (error instanceof ConfigurationError) return [...error.problems];
    throw error;
  }
}

const seed = {
  apiScopes: [{ name: 'api1', displayName: 'My API' }],
  apiResources: [{ name: 'api1', displayName: 'My API', scopes: ['api1'] }],
  clients: [
    {
      clientId: 'client',
      clientSecrets: [{ value: SECRET_HASH, expiration: '2030-01-01T00:00:00Z' }],
      allowedGrantTypes: ['client_credentials'],
      allowedScopes: ['api1'],
      claims: [{ type: 'tenant', value: 'acme' }],
    },
  ],
};

describe('the identity configuration file', () => {
  it("accepts the contract's example and applies the defaults", () => {
    expect(problemsOf(seed)).toEqual([]);
    const config = validateWith(IdentityConfigFile, seed, 'identity.json');
    expect(config.clients[0]).toMatchObject({
      enabled: true,
      accessTokenLifetime: 3600,
      accessTokenType: 'jwt',
      requireDPoP: false,
      allowedResources: [],
    });
    expect(config.apiResources[0].apiSecrets).toEqual([]);
  });

  it('accepts the token options (reference tokens, DPoP, resources, jwksUri) and checks what they name', () => {
    const ecJwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
      format: 'jwk',
    });
    const withOptions = {
      ...seed,
      apiResources: [
        {
          ...seed.apiResources[0],
          uri: 'https://api1.example',
          apiSecrets: [{ value: SECRET_HASH }],
        },
      ],
      clients: [
        {
          ...seed.clients[0],
          accessTokenType: 'reference',
          requireDPoP: true,
          allowedResources: ['api1'],
          jwksUri: 'https://client.example/jwks',
        },
      ],
    };
    expect(problemsOf(withOptions)).toEqual([]);
    expect(
      problemsOf({
        ...withOptions,
        apiResources: [
          { ...withOptions.apiResources[0], uri: 'relative/path' },
          { name: 'api2', scopes: [], uri: 'relative/path' },
        ],
        clients: [
          {
            ...withOptions.clients[0],
            accessTokenType: 'opaque',
            allowedResources: ['nope'],
            jwks: { keys: [] },
          },
        ],
      }),
    ).toEqual([
      'apiResources[0].uri: must be an absolute URI without a fragment (RFC 8707 §2)',
      'apiResources[1].uri: must be an absolute URI without a fragment (RFC 8707 §2)',
      expect.stringMatching(/^clients\[0\]\.accessTokenType: must be one of/),
      'clients[0].jwks: keys: is empty (fix: add the public key the client signs its assertions with)',
    ]);
    expect(
      problemsOf({
        ...withOptions,
        apiResources: [
          withOptions.apiResources[0],
          { name: 'api2', scopes: [], uri: 'https://api1.example' },
        ],
        clients: [
          { ...withOptions.clients[0], allowedResources: ['nope'], jwks: { keys: [ecJwk] } },
        ],
      }),
    ).toEqual([
      'apiResources[1].uri: "https://api1.example" names another API resource too (fix: make it unique)',
      'clients[0].allowedResources[0]: "nope" is not the name of an API resource (fix: define it in apiResources or remove it)',
      'clients[0]: has both jwks and jwksUri (fix: keep one; RFC 7591 §2 allows only one)',
    ]);
  });

  it('accepts a client allowed no grant type', () => {
    expect(
      problemsOf({ ...seed, clients: [{ ...seed.clients[0], allowedGrantTypes: [] }] }),
    ).toEqual([]);
  });

  it('names the path of a scope that no apiScopes entry defines', () => {
    const clients = [{ ...seed.clients[0], allowedScopes: ['api1', 'api2'] }];
    expect(problemsOf({ ...seed, clients })).toEqual([
      'clients[0].allowedScopes[1]: scope "api2" is not defined in apiScopes (fix: define it in apiScopes or remove it)',
    ]);
  });

  it('reports every problem at once, each with its path', () => {
    const problems = problemsOf({
      apiScopes: [{ name: 'has space' }],
      clients: [
        { clientId: 'ok', clientSecrets: [{ value: 'secret' }], accessTokenLifetime: 0 },
        { clientId: 'a\tb', allowedScope: ['api1'], enabled: 'yes' },
      ],
    });
    expect(problemsOf({})).toEqual([]);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^apiScopes\[0\]\.name: must be a scope token/),
        expect.stringMatching(/^clients\[0\]\.clientSecrets\[0\]\.value: must be base64\(SHA-256/),
        expect.stringMatching(/^clients\[0\]\.accessTokenLifetime: /),
        expect.stringMatching(/^clients\[1\]\.clientId: /),
        'clients[1].allowedScope: is not a known property (fix: did you mean "allowedScopes"?)',
        expect.stringMatching(/^clients\[1\]\.enabled: must be a boolean/),
      ]),
    );
    expect(problems).toHaveLength(6);
  });

  it('refuses a secret given in clear text instead of its hash', () => {
    const clients = [{ ...seed.clients[0], clientSecrets: [{ value: 'secret' }] }];
    expect(problemsOf({ ...seed, clients })).toEqual([
      "clients[0].clientSecrets[0].value: must be base64(SHA-256(secret)), never the secret itself (fix: hash it with `npm run hash-secret -- '<secret>'` and put what it prints here)",
    ]);
  });

  it('refuses an expiration that is not an ISO 8601 instant', () => {
    const clients = [
      { ...seed.clients[0], clientSecrets: [{ value: SECRET_HASH, expiration: 'soon' }] },
    ];
    expect(problemsOf({ ...seed, clients })).toEqual([
      expect.stringMatching(/^clients\[0\]\.clientSecrets\[0\]\.expiration: /),
    ]);
  });

  it('refuses duplicate client ids, scope names and resource names', () => {
    expect(
      problemsOf({
        apiScopes: [{ name: 'api1' }, { name: 'api1' }],
        apiResources: [
          { name: 'r', scopes: ['api1'] },
          { name: 'r', scopes: ['nope'] },
        ],
        clients: [{ clientId: 'c' }, { clientId: 'c' }],
      }),
    ).toEqual([
      'apiScopes[1].name: "api1" is defined twice (fix: remove one)',
      'apiResources[1].name: "r" is defined twice (fix: remove one, or rename it)',
      'apiResources[1].scopes[0]: scope "nope" is not defined in apiScopes (fix: define it in apiScopes or remove it)',
      'clients[1].clientId: "c" is defined twice (fix: remove one, or rename it)',
    ]);
  });

  it('refuses configured claims that would shadow protocol claims', () => {
    const clients = [{ ...seed.clients[0], claims: [{ type: 'sub', value: 'admin' }] }];
    expect(problemsOf({ ...seed, clients })).toEqual([
      'clients[0].claims[0].type: "sub" is a protocol claim and cannot be configured (fix: choose another claim type)',
    ]);
  });

  it('refuses claims named like introspection response members (RFC 7662 §2.2)', () => {
    const claims = [
      { type: 'active', value: 'true' },
      { type: 'token_type', value: 'Bearer' },
    ];
    const clients = [{ ...seed.clients[0], claims }];
    expect(problemsOf({ ...seed, clients })).toEqual([
      'clients[0].claims[0].type: "active" is a protocol claim and cannot be configured (fix: choose another claim type)',
      'clients[0].claims[1].type: "token_type" is a protocol claim and cannot be configured (fix: choose another claim type)',
    ]);
  });

  it('refuses claims named like what every JavaScript object has', () => {
    const claims = ['constructor', 'toString', '__proto__', 'prototype'].map((type) => ({
      type,
      value: 'x',
    }));
    const clients = [{ ...seed.clients[0], claims }];
    expect(problemsOf({ ...seed, clients })).toEqual(
      claims.map(
        ({ type }, i) =>
          `clients[0].claims[${i}].type: "${type}" is a name every JavaScript object has and cannot be a claim type (fix: choose another claim type)`,
      ),
    );
  });

  it.each([[[[]]], [[[{ type: 'tenant', value: 'acme' }]]], [['tenant']]])(
    'refuses claims %j: each claim is an object',
    (claims) => {
      const clients = [{ ...seed.clients[0], claims }];
      expect(problemsOf({ ...seed, clients })).toEqual([
        'clients[0].claims: each claim must be an object {"type": …, "value": …}',
      ]);
    },
  );

  it('lets a client be allowed the built-in identity.admin scope without defining it', () => {
    const clients = [{ ...seed.clients[0], allowedScopes: ['api1', 'identity.admin'] }];
    expect(problemsOf({ ...seed, clients })).toEqual([]);
  });

  it('refuses to redefine the built-in identity.admin scope and identity resource', () => {
    expect(
      problemsOf({
        apiScopes: [{ name: 'api1' }, { name: 'identity.admin' }],
        apiResources: [
          { name: 'identity', scopes: ['api1'] },
          { name: 'api1', scopes: ['api1', 'identity.admin'] },
        ],
      }),
    ).toEqual([
      'apiScopes[1].name: "identity.admin" is built into the identity (fix: remove this entry)',
      'apiResources[0].name: "identity" is built into the identity (fix: choose another name)',
      'apiResources[1].scopes[1]: "identity.admin" belongs to the built-in resource "identity" (fix: remove it from this list)',
    ]);
  });

  it('refuses a file that is not an object', () => {
    expect(problemsOf([])).toEqual(['must be a JSON object']);
  });
});

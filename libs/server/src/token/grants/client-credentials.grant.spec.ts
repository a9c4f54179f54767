import { Test } from '@nestjs/testing';
import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import {
  IdentityConfigFile,
  InvalidScope,
  InvalidTarget,
  validateWith,
} from '@nest-identity/shared';
import type { Client } from '../../clients/client';
import { aClient } from '../../clients/client.fixture';
import { ResourceStore } from '../../clients/resource-store';
import {
  ConfigFileResourceStore,
  IDENTITY_CONFIG_FILE,
} from '../../clients/stores/config-file.stores';
import { identitySettings } from '../../config/identity-settings';
import { toSigningKey } from '../../keys/signing-key';
import { SigningKeyStore } from '../../keys/signing-key-store';
import { ReferenceTokenStore } from '../../reference-tokens/reference-token.store';
import { AccessTokenIssuer } from '../access-token.issuer';
import { TokenExtensionsModule } from '../token-extensions';
import { oauthForm } from '../../http/oauth-form.fixture';
import { ClientCredentialsGrant } from './client-credentials.grant';

const ISSUER = 'https://id.example.com';
const key = toSigningKey(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, 'RS256');

const config = validateWith(
  IdentityConfigFile,
  {
    apiScopes: [
      { name: 'api1' },
      { name: 'api2' },
      { name: 'orders.read' },
      { name: 'loose' },
      { name: 'billing.read' },
    ],
    apiResources: [
      { name: 'api1', scopes: ['api1'], uri: 'https://api1.example.com/' },
      { name: 'orders', scopes: ['orders.read', 'api2'], uri: 'https://orders.example.com' },
      { name: 'urn:example:billing', scopes: ['billing.read'] },
    ],
  },
  'test',
);

function client(overrides: Partial<Client> = {}): Client {
  return aClient({
    clientId: 'svc',
    allowedScopes: ['api1', 'orders.read'],
    accessTokenLifetime: 300,
    ...overrides,
  });
}

function decode(jwt: string): {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
} {
  const [header, payload] = jwt
    .split('.')
    .slice(0, 2)
    .map(
      (part) => JSON.parse(Buffer.from(part, 'base64url').toString()) as Record<string, unknown>,
    );
  return { header, payload };
}

describe('ClientCredentialsGrant', () => {
  let grant: ClientCredentialsGrant;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [TokenExtensionsModule.forRoot({})],
      providers: [
        ClientCredentialsGrant,
        AccessTokenIssuer,
        // JWT clients only here: reference tokens have their own spec.
        { provide: ReferenceTokenStore, useValue: {} },
        { provide: IDENTITY_CONFIG_FILE, useValue: config },
        { provide: ResourceStore, useClass: ConfigFileResourceStore },
        { provide: identitySettings.KEY, useValue: { issuer: ISSUER } },
        {
          provide: SigningKeyStore,
          useValue: {
            getActiveKey: () => Promise.resolve(key),
            getPublishedKeys: () => Promise.resolve([key]),
          },
        },
      ],
    }).compile();
    grant = moduleRef.get(ClientCredentialsGrant);
  });

  const issue = (form: string, c: Client = client()) => grant.handle(oauthForm(form), c);

  it('issues an RFC 9068 access token signed with the active key', async () => {
    const before = Math.floor(Date.now() / 1000);
    const response = await issue('scope=api1');
    expect(response).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 300,
      scope: 'api1',
    });
    const { header, payload } = decode(response.access_token);
    expect(header).toEqual({ alg: 'RS256', typ: 'at+jwt', kid: key.kid });
    expect(payload).toEqual({
      iss: ISSUER,
      sub: 'svc',
      client_id: 'svc',
      aud: 'api1',
      scope: 'api1',
      iat: expect.any(Number),
      nbf: payload.iat,
      exp: (payload.iat as number) + 300,
      jti: expect.any(String),
    });
    expect(payload.iat).toBeGreaterThanOrEqual(before);
    const [h, p, signature] = response.access_token.split('.');
    const publicKey = createPublicKey({ key: key.publicJwk, format: 'jwk' });
    expect(
      verify('sha256', Buffer.from(`${h}.${p}`), publicKey, Buffer.from(signature, 'base64url')),
    ).toBe(true);
  });

  it('gives every token its own jti', async () => {
    const [a, b] = await Promise.all([issue('scope=api1'), issue('scope=api1')]);
    expect(decode(a.access_token).payload.jti).not.toBe(decode(b.access_token).payload.jti);
  });

  it('grants every allowed scope when none is requested, one aud per API resource', async () => {
    const response = await issue('');
    expect(response.scope).toBe('api1 orders.read');
    expect(decode(response.access_token).payload.aud).toEqual(['api1', 'orders']);
  });

  it('folds repeated scope names', async () => {
    expect((await issue('scope=api1+api1')).scope).toBe('api1');
  });

  it('adds the static audience when a granted scope belongs to no API resource', async () => {
    const response = await issue('scope=loose', client({ allowedScopes: ['loose'] }));
    expect(decode(response.access_token).payload.aud).toBe(`${ISSUER}/resources`);
  });

  it('adds configured claims, a repeated type as an array', async () => {
    const claims = [
      { type: 'tenant', value: 'acme' },
      { type: 'role', value: 'a' },
      { type: 'role', value: 'b' },
    ];
    const { payload } = decode((await issue('', client({ claims }))).access_token);
    expect(payload).toMatchObject({ tenant: 'acme', role: ['a', 'b'] });
  });

  it.each([
    [
      'a scope the client is not allowed',
      'scope=api2',
      'the client may not request the scope api2',
    ],
    ['an unknown scope', 'scope=api1+nope', 'a requested scope is not defined'],
    ['a malformed scope', 'scope=a%22b', 'the scope is malformed'],
    ['a scope of spaces only', 'scope=+++', 'the scope is empty'],
  ])('refuses %s with invalid_scope', async (_case, form, description) => {
    await expect(issue(form)).rejects.toThrow(new InvalidScope(description));
  });

  it('refuses a client allowed no scope that asks for none', async () => {
    await expect(issue('', client({ allowedScopes: [] }))).rejects.toThrow(
      new InvalidScope('the client is allowed no scope'),
    );
  });

  it('refuses a scope the client is allowed but the configuration no longer defines', async () => {
    await expect(issue('scope=gone', client({ allowedScopes: ['gone'] }))).rejects.toThrow(
      InvalidScope,
    );
  });

  describe('resource indicators (RFC 8707)', () => {
    const withResources = (overrides: Partial<Client> = {}) =>
      client({
        allowedScopes: ['api1', 'orders.read', 'api2', 'billing.read'],
        allowedResources: ['api1', 'orders', 'urn:example:billing'],
        ...overrides,
      });
    const resource = (...values: string[]) =>
      values.map((value) => `resource=${encodeURIComponent(value)}`).join('&');

    it('sets aud to the named resource and grants its scopes the client is allowed', async () => {
      const response = await issue(resource('https://orders.example.com'), withResources());
      expect(response.scope).toBe('orders.read api2');
      expect(decode(response.access_token).payload.aud).toBe('orders');
    });

    it('names a resource by its name when the name is an absolute URI', async () => {
      const response = await issue(resource('urn:example:billing'), withResources());
      expect(response.scope).toBe('billing.read');
      expect(decode(response.access_token).payload.aud).toBe('urn:example:billing');
    });

    it('takes several resources, repeated ones folded; aud is exactly them', async () => {
      const response = await issue(
        `${resource('https://api1.example.com/', 'urn:example:billing', 'https://api1.example.com/')}&scope=api1`,
        withResources(),
      );
      expect(response.scope).toBe('api1');
      expect(decode(response.access_token).payload.aud).toEqual(['api1', 'urn:example:billing']);
    });

    it('keeps the requested scopes that a named resource holds', async () => {
      const response = await issue(
        `${resource('https://orders.example.com')}&scope=orders.read`,
        withResources(),
      );
      expect(response.scope).toBe('orders.read');
    });

    it.each([
      ['a relative URI', '/orders', 'a resource must be an absolute URI without a fragment'],
      [
        'a URI with a fragment',
        'https://orders.example.com#x',
        'a resource must be an absolute URI without a fragment',
      ],
      ['an unknown URI', 'https://nope.example.com', 'a requested resource is unknown'],
      ['a name that is not a URI', 'api1', 'a resource must be an absolute URI without a fragment'],
      [
        'the URI with another path',
        'https://api1.example.com/x',
        'a requested resource is unknown',
      ],
    ])('refuses %s with invalid_target', async (_case, value, description) => {
      await expect(issue(resource(value), withResources())).rejects.toThrow(
        new InvalidTarget(description),
      );
    });

    it('refuses a resource the client is not allowed, and any resource with an empty list', async () => {
      await expect(
        issue(
          resource('https://orders.example.com'),
          withResources({ allowedResources: ['api1'] }),
        ),
      ).rejects.toThrow(new InvalidTarget('the client may not request the resource orders'));
      await expect(
        issue(resource('https://api1.example.com/'), withResources({ allowedResources: [] })),
      ).rejects.toThrow(new InvalidTarget('the client may not request the resource api1'));
    });

    it('refuses a requested scope that no named resource holds with invalid_scope', async () => {
      await expect(
        issue(`${resource('https://api1.example.com/')}&scope=api1+api2`, withResources()),
      ).rejects.toThrow(new InvalidScope('no requested resource holds the scope api2'));
    });

    it("refuses a resource holding none of the client's scopes with invalid_scope", async () => {
      await expect(
        issue(resource('https://orders.example.com'), withResources({ allowedScopes: ['api1'] })),
      ).rejects.toThrow(
        new InvalidScope('the client is allowed no scope of the requested resources'),
      );
    });

    it('still refuses a scope the client is not allowed, even one a resource holds', async () => {
      await expect(
        issue(
          `${resource('https://orders.example.com')}&scope=api2`,
          withResources({ allowedScopes: ['orders.read'] }),
        ),
      ).rejects.toThrow(new InvalidScope('the client may not request the scope api2'));
    });
  });

  it('binds the token to a DPoP key: cnf.jkt and token_type DPoP', async () => {
    const response = await grant.handle(oauthForm('scope=api1'), client(), { jkt: 'thumb' });
    expect(response.token_type).toBe('DPoP');
    expect(decode(response.access_token).payload.cnf).toEqual({ jkt: 'thumb' });
  });
});

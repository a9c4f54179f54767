import { generateKeyPairSync } from 'node:crypto';
import { readCompactJws, verifiesJwsSignature } from '@nest-identity/shared';
import { toSigningKey } from '../keys/signing-key';
import type { IntrospectionCaller } from './introspection-caller';
import {
  INACTIVE,
  introspectionResponse,
  mayIntrospect,
  signIntrospectionResponse,
  wantsJwtResponse,
} from './introspection-response';
import type { InspectedToken } from './token-inspector';

function token(claims: Record<string, unknown>): InspectedToken {
  return {
    kind: 'reference',
    claims: { client_id: 'svc', aud: 'api1', ...claims },
    clientId: 'svc',
    jti: 'j',
    expiresAt: new Date(),
  };
}

const resource = (id: string): IntrospectionCaller =>
  ({ kind: 'resource', id, resource: { name: id, scopes: [], secrets: [] } }) as const;
const client = (id: string): IntrospectionCaller => ({ kind: 'client', id });

describe('mayIntrospect', () => {
  it('lets an API resource see tokens whose aud names it, and no other', () => {
    expect(mayIntrospect(resource('api1'), token({ aud: 'api1' }))).toBe(true);
    expect(mayIntrospect(resource('api2'), token({ aud: ['api1', 'api2'] }))).toBe(true);
    expect(mayIntrospect(resource('api2'), token({ aud: 'api1' }))).toBe(false);
    expect(mayIntrospect(resource('api'), token({ aud: 'api1' }))).toBe(false);
  });

  it('lets a client see only tokens issued to itself', () => {
    expect(mayIntrospect(client('svc'), token({}))).toBe(true);
    expect(mayIntrospect(client('other'), token({}))).toBe(false);
  });
});

describe('introspectionResponse', () => {
  it('is only {active:false} without a token', () => {
    expect(introspectionResponse(undefined)).toEqual({ active: false });
    expect(INACTIVE).toEqual({ active: false });
  });

  it('carries the claims, active first, and token_type Bearer', () => {
    const response = introspectionResponse(token({ scope: 'api1', tenant: 'acme' }));

    expect(Object.keys(response)[0]).toBe('active');
    expect(response).toEqual({
      active: true,
      client_id: 'svc',
      aud: 'api1',
      scope: 'api1',
      tenant: 'acme',
      token_type: 'Bearer',
    });
  });

  it('says DPoP for a key-bound token (RFC 9449 §6.2), with its cnf', () => {
    expect(introspectionResponse(token({ cnf: { jkt: 'thumb' } }))).toMatchObject({
      token_type: 'DPoP',
      cnf: { jkt: 'thumb' },
    });
  });
});

describe('wantsJwtResponse', () => {
  it.each([
    ['application/token-introspection+jwt', true],
    ['application/json, Application/Token-Introspection+JWT;q=0.9', true],
    ['application/json', false],
    ['*/*', false],
    [undefined, false],
  ])('%s → %s', (accept, expected) => {
    expect(wantsJwtResponse(accept)).toBe(expected);
  });
});

describe('signIntrospectionResponse (RFC 9701)', () => {
  it('signs {iss, aud, iat, token_introspection} as typ token-introspection+jwt', () => {
    const key = toSigningKey(generateKeyPairSync('ed25519').privateKey, 'EdDSA');
    const jwt = signIntrospectionResponse(
      { active: true, scope: 'api1' },
      { key, issuer: 'https://id', audience: 'api1', now: 1_700_000_000_500 },
    );

    const verified = readCompactJws(jwt, 8192);
    expect(
      verifiesJwsSignature('EdDSA', key.publicKey, verified.signingInput, verified.signature),
    ).toBe(true);
    expect(verified.header).toEqual({
      alg: 'EdDSA',
      typ: 'token-introspection+jwt',
      kid: key.kid,
    });
    expect(verified.payload).toEqual({
      iss: 'https://id',
      aud: 'api1',
      iat: 1_700_000_000,
      token_introspection: { active: true, scope: 'api1' },
    });
  });
});

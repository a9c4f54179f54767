import { generateKeyPairSync } from 'node:crypto';
import { aClient } from '../clients/client.fixture';
import type { IdentitySettings } from '../config/identity-settings';
import { toSigningKey } from '../keys/signing-key';
import type { SigningKeyStore } from '../keys/signing-key-store';
import { looksLikeReferenceHandle } from '../reference-tokens/reference-handle';
import type {
  ReferenceTokenStore,
  StoredReferenceToken,
} from '../reference-tokens/reference-token.store';
import type { ModuleRef } from '@nestjs/core';
import { oauthForm } from '../http/oauth-form.fixture';
import { AccessTokenIssuer } from './access-token.issuer';
import { TokenRequestExtensions } from './token-extensions';

const key = toSigningKey(generateKeyPairSync('ed25519').privateKey, 'EdDSA');

describe('AccessTokenIssuer', () => {
  let saved: { handle: string; token: StoredReferenceToken }[];
  let issuer: AccessTokenIssuer;

  beforeEach(() => {
    saved = [];
    const store = {
      save: (handle: string, token: StoredReferenceToken) => {
        saved.push({ handle, token });
        return Promise.resolve();
      },
    } as unknown as ReferenceTokenStore;
    const keys = { getActiveKey: () => Promise.resolve(key) } as unknown as SigningKeyStore;
    const none = new TokenRequestExtensions({} as ModuleRef, {});
    issuer = new AccessTokenIssuer(keys, { issuer: 'https://id' } as IdentitySettings, store, none);
  });

  it('issues a reference client an opaque handle and stores the claims a JWT would carry', async () => {
    const client = aClient({
      clientId: 'svc',
      accessTokenType: 'reference',
      accessTokenLifetime: 120,
      claims: [{ type: 'tenant', value: 'acme' }],
    });

    const issued = await issuer.issue({
      client,
      request: oauthForm('grant_type=client_credentials'),
      scopes: ['api1', 'api2'],
      audiences: ['api1', 'api2'],
      confirmation: { jkt: 'thumbprint' },
    });

    expect(issued).toEqual(expect.objectContaining({ expiresIn: 120, scope: 'api1 api2' }));
    expect(looksLikeReferenceHandle(issued.token)).toBe(true);
    expect(saved).toHaveLength(1);
    const [{ handle, token }] = saved;
    expect(handle).toBe(issued.token);
    const { iat } = token.claims as { iat: number };
    expect(token).toEqual({
      clientId: 'svc',
      claims: {
        tenant: 'acme',
        iss: 'https://id',
        sub: 'svc',
        client_id: 'svc',
        aud: ['api1', 'api2'],
        scope: 'api1 api2',
        iat,
        nbf: iat,
        exp: iat + 120,
        jti: expect.any(String),
        cnf: { jkt: 'thumbprint' },
      },
      expiresAt: new Date((iat + 120) * 1000),
    });
  });

  it('signs a JWT for a jwt client and stores nothing', async () => {
    const issued = await issuer.issue({
      client: aClient({ clientId: 'svc' }),
      request: oauthForm('grant_type=client_credentials'),
      scopes: ['api1'],
      audiences: ['api1'],
    });

    expect(issued.token.split('.')).toHaveLength(3);
    expect(saved).toHaveLength(0);
  });
});

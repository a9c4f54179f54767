import { InvalidClient, TemporarilyUnavailable, challengeRecordOf } from '@nest-identity/shared';
import type { ApiResource, Client } from '../clients/client';
import type { ClientAuthenticator } from '../client-authentication/client-authenticator';
import type { ResourceStore } from '../clients/resource-store';
import { sha256 } from '../clients/secret-hash';
import type { IdentitySettings } from '../config/identity-settings';
import type { ClientLockout } from '../client-authentication/client-lockout';
import { basic, oauthForm } from '../http/oauth-form.fixture';
import { IntrospectionCallerAuthenticator } from './introspection-caller';

const api1: ApiResource = {
  name: 'api1',
  scopes: ['api1'],
  secrets: [{ sha256: sha256('api1-secret') }],
};
const noSecrets: ApiResource = { name: 'api2', scopes: ['api2'], secrets: [] };

describe('IntrospectionCallerAuthenticator', () => {
  let clientAuthenticate: jest.Mock;
  let lockedOut: Set<string>;
  let failures: string[];
  let callers: IntrospectionCallerAuthenticator;

  beforeEach(() => {
    clientAuthenticate = jest.fn(() => Promise.resolve({ clientId: 'svc' } as Client));
    lockedOut = new Set();
    failures = [];
    const lockout: ClientLockout = {
      admit: (id: string) => {
        if (lockedOut.has(id)) return Promise.reject(new TemporarilyUnavailable('locked', 429, 1));
        return Promise.resolve({
          settle: <T>(outcome: Promise<T>) =>
            outcome.catch((error: unknown) => {
              if (error instanceof InvalidClient) failures.push(id);
              throw error;
            }),
        });
      },
    };
    callers = new IntrospectionCallerAuthenticator(
      { getAllApiResources: () => Promise.resolve([api1, noSecrets]) } as unknown as ResourceStore,
      { authenticate: clientAuthenticate } as unknown as ClientAuthenticator,
      { issuer: 'https://id' } as IdentitySettings,
      lockout,
    );
  });

  it('authenticates an API resource with one of its apiSecrets (basic and post)', async () => {
    await expect(
      callers.authenticate(oauthForm('token=t', basic('api1', 'api1-secret'))),
    ).resolves.toEqual({ kind: 'resource', id: 'api1', resource: api1 });
    await expect(
      callers.authenticate(oauthForm('token=t&client_id=api1&client_secret=api1-secret')),
    ).resolves.toMatchObject({ kind: 'resource', id: 'api1' });
    expect(clientAuthenticate).not.toHaveBeenCalled();
  });

  it('refuses a wrong resource secret with invalid_client (Basic challenge) and counts it', async () => {
    const request = oauthForm('token=t', basic('api1', 'wrong'));
    const refused = callers.authenticate(request);

    await expect(refused).rejects.toBeInstanceOf(InvalidClient);
    expect(challengeRecordOf(request.http)).toEqual({ scheme: 'Basic', realm: 'https://id' });
    expect(failures).toEqual(['api1']);
  });

  it('refuses a locked-out resource before looking at the secret', async () => {
    lockedOut.add('api1');

    await expect(
      callers.authenticate(oauthForm('token=t', basic('api1', 'api1-secret'))),
    ).rejects.toBeInstanceOf(TemporarilyUnavailable);
  });

  it('hands every other caller to the ClientAuthenticator', async () => {
    await expect(
      callers.authenticate(oauthForm('token=t&client_id=svc&client_secret=s')),
    ).resolves.toEqual({ kind: 'client', id: 'svc' });
    // A resource without apiSecrets cannot introspect as a resource: it is just an id.
    await callers.authenticate(oauthForm('token=t&client_id=api2&client_secret=s'));
    await callers.authenticate(oauthForm('token=t'));
    expect(clientAuthenticate).toHaveBeenCalledTimes(3);
  });

  it('hands an unreadable assertion that names no client to the ClientAuthenticator', async () => {
    const form = new URLSearchParams({
      token: 't',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: 'not-a-jwt',
    });
    clientAuthenticate.mockRejectedValueOnce(new InvalidClient('assertion malformed'));

    await expect(callers.authenticate(oauthForm(form.toString()))).rejects.toBeInstanceOf(
      InvalidClient,
    );
    expect(clientAuthenticate).toHaveBeenCalledTimes(1);
  });
});

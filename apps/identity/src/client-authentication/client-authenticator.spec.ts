import { InvalidClient, TemporarilyUnavailable } from '@app/shared';
import type { AuditTrail } from '../audit/audit-trail';
import type { ClientAssertionVerifier } from '../clients/assertions/client-assertion-verifier';
import type { TokenEndpointMetrics } from '../metrics/token-endpoint.metrics';
import { testSettings } from '../persistence/test-databases.fixture';
import { CountingClientLockout } from '../throttling/client-lockout';
import { MemoryCounterStore } from '../throttling/stores/memory.counter-store';
import { OAuthForm } from '../http/oauth-form';
import { oauthForm } from '../http/oauth-form.fixture';
import { ClientAuthenticator } from './client-authenticator';
import type { Client } from '../clients/client';
import { aClient } from '../clients/client.fixture';
import { sha256 } from '../clients/secret-hash';

describe('ClientAuthenticator with the lock-out', () => {
  const client: Client = aClient({ secrets: [{ sha256: sha256('secret') }] });
  let findClientById: jest.Mock;
  let store: MemoryCounterStore;
  let authenticator: ClientAuthenticator;

  beforeEach(() => {
    findClientById = jest.fn().mockResolvedValue(client);
    store = new MemoryCounterStore();
    const lockout = new CountingClientLockout(store, {
      threshold: 2,
      windowMs: 60_000,
      durationMs: 30_000,
      maxDurationMs: 60_000,
      idCeiling: 100,
      slowDownMs: 1000,
    });
    authenticator = new ClientAuthenticator(
      { findClientById },
      testSettings(),
      lockout,
      { record: jest.fn() } as unknown as AuditTrail,
      { lockedOut: jest.fn() } as unknown as TokenEndpointMetrics,
      { verify: jest.fn() } as unknown as ClientAssertionVerifier,
    );
  });
  afterEach(() => store.onModuleDestroy());

  const post = (secret: string): OAuthForm =>
    oauthForm(`grant_type=client_credentials&client_id=client&client_secret=${secret}`);

  it('refuses a locked-out client id before looking it up, even with the right secret', async () => {
    await expect(authenticator.authenticate(post('wrong'))).rejects.toBeInstanceOf(InvalidClient);
    await expect(authenticator.authenticate(post('wrong'))).rejects.toBeInstanceOf(InvalidClient);
    findClientById.mockClear();
    await expect(authenticator.authenticate(post('secret'))).rejects.toBeInstanceOf(
      TemporarilyUnavailable,
    );
    expect(findClientById).not.toHaveBeenCalled();
  });

  it('authenticates as before while not locked out', async () => {
    await expect(authenticator.authenticate(post('wrong'))).rejects.toBeInstanceOf(InvalidClient);
    await expect(authenticator.authenticate(post('secret'))).resolves.toBe(client);
  });
});

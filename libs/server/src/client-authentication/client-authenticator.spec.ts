import { InvalidClient, TemporarilyUnavailable, challengeRecordOf } from '@nest-identity/shared';
import type { ClientAuthenticationFailed } from '../audit/audit-events';
import type { AuditTrail } from '../audit/audit-trail';
import type { ClientAssertionVerifier } from '../clients/assertions/client-assertion-verifier';
import type { TokenEndpointMetrics } from '../metrics/token-endpoint.metrics';
import { testSettings } from '../persistence/test-databases.fixture';
import { CountingClientLockout } from '../throttling/client-lockout';
import { MemoryCounterStore } from '../throttling/stores/memory.counter-store';
import { OAuthForm } from '../http/oauth-form';
import { basic, oauthForm } from '../http/oauth-form.fixture';
import { ClientAuthenticator } from './client-authenticator';
import { ClientLockout } from './client-lockout';
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

describe('ClientAuthenticator: every failure is one invalid_client, its reason in the audit trail', () => {
  const client: Client = aClient({ secrets: [{ sha256: sha256('secret') }] });
  let events: ClientAuthenticationFailed[];
  let authenticator: ClientAuthenticator;

  beforeEach(() => {
    events = [];
    const audit = {
      record: (event: ClientAuthenticationFailed) => events.push(event),
    } as unknown as AuditTrail;
    const findClientById = (id: string) => Promise.resolve(id === 'client' ? client : undefined);
    authenticator = new ClientAuthenticator(
      { findClientById },
      testSettings({ issuer: 'https://id.example' }),
      ClientLockout.none,
      audit,
      { lockedOut: jest.fn() } as unknown as TokenEndpointMetrics,
      { verify: jest.fn() } as unknown as ClientAssertionVerifier,
    );
  });

  async function failure(request: OAuthForm) {
    const error = await authenticator.authenticate(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidClient);
    expect(events).toHaveLength(1);
    const [{ clientId, method, reason }] = events;
    const { cause } = error as InvalidClient;
    return { clientId, method, reason, cause, challenge: challengeRecordOf(request.http) };
  }

  it.each([
    [
      'no client authentication',
      () => oauthForm('grant_type=client_credentials'),
      { clientId: undefined, method: undefined, reason: 'no client authentication' },
      'no client authentication',
    ],
    [
      'an unknown client over Basic (with its realm)',
      () => oauthForm('grant_type=client_credentials', basic('nobody', 'x')),
      { clientId: 'nobody', method: 'client_secret_basic', reason: 'unknown client' },
      'client "nobody": unknown client',
    ],
    [
      'a wrong secret in the form',
      () => oauthForm('grant_type=client_credentials&client_id=client&client_secret=wrong'),
      { clientId: 'client', method: 'client_secret_post', reason: 'secret wrong or expired' },
      'client "client": secret wrong or expired',
    ],
    [
      'an unreadable assertion, unattributed',
      () => assertionRequest('not-a-jwt'),
      { clientId: undefined, method: 'private_key_jwt', reason: 'assertion malformed' },
      'assertion malformed (not a compact JWS)',
    ],
    [
      'an unreadable assertion, attributed to the client_id sent',
      () => assertionRequest('not-a-jwt', 'client'),
      { clientId: 'client', method: 'private_key_jwt', reason: 'assertion malformed' },
      'client "client": assertion malformed (not a compact JWS)',
    ],
    [
      'an assertion of another client_assertion_type',
      () => assertionRequest('a.b.c', 'client', 'urn:example:other'),
      { clientId: 'client', method: 'private_key_jwt', reason: 'assertion type unsupported' },
      'client "client": assertion type unsupported (client_assertion_type)',
    ],
  ])('%s', async (_case, request, event, cause) => {
    const refused = await failure(request());
    expect(refused).toMatchObject({ ...event, cause });
    expect(refused.challenge).toEqual(
      event.method === 'client_secret_basic'
        ? { scheme: 'Basic', realm: 'https://id.example' }
        : undefined,
    );
  });
});

function assertionRequest(
  assertion: string,
  clientId?: string,
  type = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
): OAuthForm {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_assertion_type: type,
    client_assertion: assertion,
    ...(clientId === undefined ? {} : { client_id: clientId }),
  });
  return oauthForm(form.toString());
}

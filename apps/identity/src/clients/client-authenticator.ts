import { Inject, Injectable, Optional } from '@nestjs/common';
import { ClientAuthMethods, InvalidClient, TemporarilyUnavailable } from '@app/shared';
import {
  ClientAuthenticationFailed,
  ClientAuthenticationFailures as Failures,
  type ClientAuthenticationFailure,
} from '../audit/audit-events';
import { AuditTrail } from '../audit/audit-trail';
import { identitySettings, type IdentitySettings } from '../config/identity-settings';
import { TokenEndpointMetrics } from '../metrics/token-endpoint.metrics';
import { ClientLockout } from '../throttling/client-lockout';
import type { TokenRequest } from '../token/token-request';
import type { Client } from './client';
import { readPresentedCredentials, type PresentedCredentials } from './client-credentials';
import { ClientStore } from './client-store';
import { matchesAnySecret } from './secret-hash';

/**
 * Authenticates the client of a token request (client_secret_basic or client_secret_post).
 * Every failure is the same `invalid_client` to the caller; the reason goes only to the log.
 */
@Injectable()
export class ClientAuthenticator {
  constructor(
    private readonly clients: ClientStore,
    @Inject(identitySettings.KEY) private readonly settings: IdentitySettings,
    // The CLI authenticates no one: it has no lock-out and no audit trail.
    @Optional() private readonly lockout: ClientLockout = ClientLockout.none,
    @Optional() private readonly audit?: AuditTrail,
    @Optional() private readonly metrics?: TokenEndpointMetrics,
  ) {}

  async authenticate(request: TokenRequest): Promise<Client> {
    const presented = readPresentedCredentials(request);
    if (!presented) {
      this.audit?.record(
        new ClientAuthenticationFailed(
          undefined,
          undefined,
          Failures.NoAuthentication,
          request.address,
        ),
      );
      throw new InvalidClient(Failures.NoAuthentication);
    }
    // A locked-out client id is refused before its secret is looked at, and the lock-out
    // learns whether this attempt failed.
    const attempt = await this.lockout.admit(presented.clientId).catch((error: unknown) => {
      if (error instanceof TemporarilyUnavailable) this.metrics?.lockedOut();
      throw error;
    });
    return attempt.settle(this.verify(presented, request.address));
  }

  private async verify(presented: PresentedCredentials, address: string): Promise<Client> {
    const fail = (reason: ClientAuthenticationFailure): never => {
      this.audit?.record(
        new ClientAuthenticationFailed(presented.clientId, presented.method, reason, address),
      );
      const error = new InvalidClient(`client "${presented.clientId}": ${reason}`);
      if (presented.method === ClientAuthMethods.ClientSecretBasic)
        error.basicRealm = this.settings.issuer;
      throw error;
    };
    const client = await this.clients.findClientById(presented.clientId);
    if (!client) return fail(Failures.UnknownClient);
    if (!client.enabled) return fail(Failures.DisabledClient);
    if (presented.clientSecret === undefined) return fail(Failures.NoSecret);
    if (!matchesAnySecret(presented.clientSecret, client.secrets, new Date())) {
      return fail(Failures.WrongSecret);
    }
    return client;
  }
}

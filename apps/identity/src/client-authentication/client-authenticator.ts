import { Inject, Injectable } from '@nestjs/common';
import { ClientAuthMethods, InvalidClient, TemporarilyUnavailable } from '@app/shared';
import {
  ClientAuthenticationFailed,
  ClientAuthenticationFailures as Failures,
  type ClientAuthenticationFailure,
} from '../audit/audit-events';
import { AuditTrail } from '../audit/audit-trail';
import { identitySettings, type IdentitySettings } from '../config/identity-settings';
import { TokenEndpointMetrics } from '../metrics/token-endpoint.metrics';
import { ClientLockout } from './client-lockout';
import type { OAuthForm } from '../http/oauth-form';
import type { Client } from '../clients/client';
import {
  AssertionRejected,
  ClientAssertionVerifier,
} from '../clients/assertions/client-assertion-verifier';
import {
  readPresentedCredentials,
  UnreadableAssertion,
  type PresentedCredentials,
} from './client-credentials';
import { ClientStore } from '../clients/client-store';
import { matchesAnySecret } from '../clients/secret-hash';

/**
 * Authenticates the client of a token request: client_secret_basic, client_secret_post, or a JWT
 * assertion (private_key_jwt, client_secret_jwt). Every failure is the same `invalid_client` to
 * the caller; the reason goes only to the log and the audit trail.
 */
@Injectable()
export class ClientAuthenticator {
  constructor(
    private readonly clients: ClientStore,
    @Inject(identitySettings.KEY) private readonly settings: IdentitySettings,
    private readonly lockout: ClientLockout,
    private readonly audit: AuditTrail,
    private readonly metrics: TokenEndpointMetrics,
    private readonly assertions: ClientAssertionVerifier,
  ) {}

  async authenticate(request: OAuthForm): Promise<Client> {
    const presented = this.readCredentials(request);
    if (!presented) {
      this.audit.record(
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
    const attempt = await this.lockout
      .admit(presented.clientId, request.address)
      .catch((error: unknown) => {
        if (error instanceof TemporarilyUnavailable) this.metrics.lockedOut();
        throw error;
      });
    return attempt.settle(this.verify(presented, request.address));
  }

  /** An assertion unreadable before any client id is known fails here, unattributed. */
  private readCredentials(request: OAuthForm): PresentedCredentials | undefined {
    try {
      return readPresentedCredentials(request);
    } catch (error) {
      if (!(error instanceof UnreadableAssertion)) throw error;
      const method = ClientAuthMethods.PrivateKeyJwt;
      this.audit.record(
        new ClientAuthenticationFailed(undefined, method, error.reason, request.address),
      );
      throw error;
    }
  }

  private async verify(presented: PresentedCredentials, address: string): Promise<Client> {
    const fail = (reason: ClientAuthenticationFailure, detail?: string): never => {
      this.audit.record(
        new ClientAuthenticationFailed(presented.clientId, presented.method, reason, address),
      );
      const error = new InvalidClient(
        `client "${presented.clientId}": ${reason}${detail ? ` (${detail})` : ''}`,
      );
      if (presented.method === ClientAuthMethods.ClientSecretBasic)
        error.basicRealm = this.settings.issuer;
      throw error;
    };
    const client = await this.clients.findClientById(presented.clientId);
    if (!client) {
      // The hash a known client's secret check costs, so the answer takes as long (README "Security").
      if (presented.clientSecret !== undefined)
        matchesAnySecret(presented.clientSecret, [], new Date());
      return fail(Failures.UnknownClient);
    }
    if (!client.enabled) return fail(Failures.DisabledClient);
    if (presented.assertion) {
      const { assertion, method } = presented;
      if (assertion instanceof UnreadableAssertion) return fail(assertion.reason, assertion.detail);
      if (
        method !== ClientAuthMethods.PrivateKeyJwt &&
        method !== ClientAuthMethods.ClientSecretJwt
      )
        return fail(Failures.AssertionMalformed);
      try {
        await this.assertions.verify(client, method, assertion);
      } catch (error) {
        if (error instanceof AssertionRejected) return fail(error.reason, error.detail);
        throw error;
      }
      return client;
    }
    if (presented.clientSecret === undefined) return fail(Failures.NoSecret);
    if (!matchesAnySecret(presented.clientSecret, client.secrets, new Date())) {
      return fail(Failures.WrongSecret);
    }
    return client;
  }
}

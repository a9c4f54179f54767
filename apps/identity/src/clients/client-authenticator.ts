import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  ClientAuthMethods,
  InvalidClient,
  TemporarilyUnavailable,
  recordChallenge,
} from '@app/shared';
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
import { AssertionRejected, ClientAssertionVerifier } from './assertions/client-assertion-verifier';
import {
  readPresentedCredentials,
  UnreadableAssertion,
  type PresentedCredentials,
} from './client-credentials';
import { ClientStore } from './client-store';
import { matchesAnySecret } from './secret-hash';

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
    // The CLI authenticates no one: it has no lock-out and no audit trail.
    @Optional() private readonly lockout: ClientLockout = ClientLockout.none,
    @Optional() private readonly audit?: AuditTrail,
    @Optional() private readonly metrics?: TokenEndpointMetrics,
    // Absent in the CLI, which has no replay store: assertions are then refused.
    @Optional() private readonly assertions?: ClientAssertionVerifier,
  ) {}

  async authenticate(request: TokenRequest): Promise<Client> {
    const presented = this.readCredentials(request);
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
    // RFC 6749 §5.2: a client that tried HTTP Basic is challenged with it.
    if (presented.method === ClientAuthMethods.ClientSecretBasic)
      recordChallenge(request.http, { scheme: 'Basic', realm: this.settings.issuer });
    // A locked-out client id is refused before its secret is looked at, and the lock-out
    // learns whether this attempt failed.
    const attempt = await this.lockout
      .admit(presented.clientId, request.address)
      .catch((error: unknown) => {
        if (error instanceof TemporarilyUnavailable) this.metrics?.lockedOut();
        throw error;
      });
    return attempt.settle(this.verify(presented, request.address));
  }

  /** An assertion unreadable before any client id is known fails here, unattributed. */
  private readCredentials(request: TokenRequest): PresentedCredentials | undefined {
    try {
      return readPresentedCredentials(request);
    } catch (error) {
      if (!(error instanceof UnreadableAssertion)) throw error;
      const method = ClientAuthMethods.PrivateKeyJwt;
      this.audit?.record(
        new ClientAuthenticationFailed(undefined, method, error.reason, request.address),
      );
      throw error;
    }
  }

  private async verify(presented: PresentedCredentials, address: string): Promise<Client> {
    const fail = (reason: ClientAuthenticationFailure, detail?: string): never => {
      this.audit?.record(
        new ClientAuthenticationFailed(presented.clientId, presented.method, reason, address),
      );
      throw new InvalidClient(
        `client "${presented.clientId}": ${reason}${detail ? ` (${detail})` : ''}`,
      );
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
      if (!this.assertions) return fail(Failures.AssertionTypeUnsupported, 'no verifier here');
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

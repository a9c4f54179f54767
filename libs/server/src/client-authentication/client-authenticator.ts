import { Inject, Injectable } from '@nestjs/common';
import {
  ClientAuthMethods,
  InvalidClient,
  StoreSpans,
  TemporarilyUnavailable,
  inSpan,
  recordChallenge,
} from '@nest-identity/shared';
import {
  ClientAuthenticationFailed,
  ClientAuthenticationFailures as Failures,
} from '../audit/audit-events';
import { AuditTrail } from '../audit/audit-trail';
import { identitySettings, type IdentitySettings } from '../config/identity-settings';
import { TokenEndpointMetrics } from '../metrics/token-endpoint.metrics';
import { ClientLockout } from './client-lockout';
import type { OAuthForm } from '../http/oauth-form';
import type { Client } from '../clients/client';
import { ClientAssertionVerifier } from '../clients/assertions/client-assertion-verifier';
import { ClientAuthenticationRejected as Rejected } from '../clients/client-authentication-rejected';
import { readPresentedCredentials, type PresentedCredentials } from './client-credentials';
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
    // RFC 6749 §5.2: a client that tried HTTP Basic is challenged with it.
    if (presented.method === ClientAuthMethods.ClientSecretBasic)
      recordChallenge(request.http, { scheme: 'Basic', realm: this.settings.issuer });
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

  /** No credentials, or an assertion unreadable before any client id is known, fail here, unattributed. */
  private readCredentials(request: OAuthForm): PresentedCredentials {
    let presented: PresentedCredentials | undefined;
    try {
      presented = readPresentedCredentials(request);
    } catch (error) {
      if (error instanceof Rejected)
        this.refuse(error, request.address, { method: ClientAuthMethods.PrivateKeyJwt });
      throw error;
    }
    if (!presented) this.refuse(new Rejected(Failures.NoAuthentication), request.address, {});
    return presented;
  }

  private async verify(presented: PresentedCredentials, address: string): Promise<Client> {
    try {
      return await this.verified(presented);
    } catch (error) {
      if (error instanceof Rejected) this.refuse(error, address, presented);
      throw error;
    }
  }

  /** The client, or ClientAuthenticationRejected saying why not. */
  private async verified(presented: PresentedCredentials): Promise<Client> {
    const client = await inSpan(StoreSpans.FindClient, {}, () =>
      this.clients.findClientById(presented.clientId),
    );
    if (!client) {
      // The hash a known client's secret check costs, so the answer takes as long (docs/security.md).
      if (presented.clientSecret !== undefined)
        matchesAnySecret(presented.clientSecret, [], new Date());
      throw new Rejected(Failures.UnknownClient);
    }
    if (!client.enabled) throw new Rejected(Failures.DisabledClient);
    if (presented.assertion) {
      const { assertion, method } = presented;
      if (assertion instanceof Rejected) throw assertion;
      if (
        method !== ClientAuthMethods.PrivateKeyJwt &&
        method !== ClientAuthMethods.ClientSecretJwt
      )
        throw new Rejected(Failures.AssertionMalformed);
      await this.assertions.verify(client, method, assertion);
      return client;
    }
    if (presented.clientSecret === undefined) throw new Rejected(Failures.NoSecret);
    if (!matchesAnySecret(presented.clientSecret, client.secrets, new Date()))
      throw new Rejected(Failures.WrongSecret);
    return client;
  }

  /**
   * The one way a client authentication fails: the audit event, then `invalid_client` whose
   * cause (the log's, never the caller's) names the client tried, the reason and the detail.
   */
  private refuse(
    rejection: Rejected,
    address: string,
    attempt: Partial<Pick<PresentedCredentials, 'clientId' | 'method'>>,
  ): never {
    const { reason, detail } = rejection;
    this.audit.record(
      new ClientAuthenticationFailed(attempt.clientId, attempt.method, reason, address),
    );
    const who = attempt.clientId === undefined ? '' : `client "${attempt.clientId}": `;
    throw new InvalidClient(`${who}${reason}${detail ? ` (${detail})` : ''}`);
  }
}

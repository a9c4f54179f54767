import { Inject, Injectable } from '@nestjs/common';
import { ClientAuthMethods, InvalidClient, recordChallenge } from '@nest-identity/shared';
import type { ApiResource } from '../clients/client';
import { ClientAuthenticationRejected } from '../clients/client-authentication-rejected';
import { ClientAuthenticator } from '../client-authentication/client-authenticator';
import {
  readPresentedCredentials,
  type PresentedCredentials,
} from '../client-authentication/client-credentials';
import { ResourceStore } from '../clients/resource-store';
import { matchesAnySecret } from '../clients/secret-hash';
import { identitySettings, type IdentitySettings } from '../config/identity-settings';
import { ClientLockout } from '../client-authentication/client-lockout';
import type { OAuthForm } from '../http/oauth-form';

/** Who calls the introspection endpoint: an API resource (its apiSecrets) or a client. */
export type IntrospectionCaller =
  | { readonly kind: 'resource'; readonly id: string; readonly resource: ApiResource }
  | { readonly kind: 'client'; readonly id: string };

/**
 * Authenticates the caller of the introspection endpoint. An id that names an API resource with
 * `apiSecrets` is that resource (client_secret_basic or client_secret_post, the resource name as
 * the id); any other caller is a client, authenticated by ClientAuthenticator exactly as at the
 * token endpoint (every method it supports). Resource ids share the client lock-out.
 */
@Injectable()
export class IntrospectionCallerAuthenticator {
  constructor(
    private readonly resources: ResourceStore,
    private readonly clients: ClientAuthenticator,
    @Inject(identitySettings.KEY) private readonly settings: IdentitySettings,
    private readonly lockout: ClientLockout,
  ) {}

  async authenticate(request: OAuthForm): Promise<IntrospectionCaller> {
    const presented = readCredentialsOfAResource(request);
    const resource = presented && (await this.resourceNamed(presented.clientId));
    if (!presented || !resource) {
      const client = await this.clients.authenticate(request);
      return { kind: 'client', id: client.clientId };
    }
    // RFC 6749 §5.2: a caller that tried HTTP Basic is challenged with it.
    if (presented.method === ClientAuthMethods.ClientSecretBasic)
      recordChallenge(request.http, { scheme: 'Basic', realm: this.settings.issuer });
    const attempt = await this.lockout.admit(presented.clientId, request.address);
    return attempt.settle(this.verifyResource(presented, resource));
  }

  private async resourceNamed(name: string): Promise<ApiResource | undefined> {
    const all = await this.resources.getAllApiResources();
    return all.find((resource) => resource.name === name && resource.secrets.length > 0);
  }

  private verifyResource(
    presented: PresentedCredentials,
    resource: ApiResource,
  ): Promise<IntrospectionCaller> {
    const secret = presented.clientSecret;
    if (secret === undefined || !matchesAnySecret(secret, resource.secrets, new Date())) {
      return Promise.reject(
        new InvalidClient(`API resource "${resource.name}": secret wrong or expired`),
      );
    }
    return Promise.resolve({ kind: 'resource', id: resource.name, resource });
  }
}

/**
 * The credentials, if they could name an API resource. An assertion unreadable before any id is
 * known names none: the ClientAuthenticator refuses it, as at the token endpoint.
 */
function readCredentialsOfAResource(request: OAuthForm): PresentedCredentials | undefined {
  try {
    return readPresentedCredentials(request);
  } catch (error) {
    if (error instanceof ClientAuthenticationRejected) return undefined;
    throw error;
  }
}

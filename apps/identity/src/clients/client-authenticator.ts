import { Inject, Injectable } from '@nestjs/common';
import { ClientAuthMethods, InvalidClient } from '@app/shared';
import { identitySettings, type IdentitySettings } from '../config/identity-settings';
import type { TokenRequest } from '../token/token-request';
import type { Client } from './client';
import { readPresentedCredentials } from './client-credentials';
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
  ) {}

  async authenticate(request: TokenRequest): Promise<Client> {
    const presented = readPresentedCredentials(request);
    if (!presented) throw new InvalidClient('no client authentication');
    const fail = (reason: string): never => {
      const error = new InvalidClient(`client "${presented.clientId}": ${reason}`);
      if (presented.method === ClientAuthMethods.ClientSecretBasic)
        error.basicRealm = this.settings.issuer;
      throw error;
    };
    const client = await this.clients.findClientById(presented.clientId);
    if (!client) return fail('unknown client');
    if (!client.enabled) return fail('client disabled');
    if (presented.clientSecret === undefined) return fail('no secret presented');
    if (!matchesAnySecret(presented.clientSecret, client.secrets, new Date())) {
      return fail('secret wrong or expired');
    }
    return client;
  }
}

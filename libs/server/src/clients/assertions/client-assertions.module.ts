import { Global, Module } from '@nestjs/common';
import { identitySettings, type IdentitySettings } from '../../config/identity-settings';
import { ClientAssertionVerifier } from './client-assertion-verifier';
import { ClientKeys } from './client-keys';

/**
 * JWT client assertions (private_key_jwt, client_secret_jwt) for ClientAuthenticator. A module of
 * the server only: the CLI, which authenticates no one and has no replay store, leaves it out.
 */
@Global()
@Module({
  providers: [
    {
      provide: ClientKeys,
      inject: [identitySettings.KEY],
      useFactory: (settings: IdentitySettings) => new ClientKeys(settings.server.production),
    },
    ClientAssertionVerifier,
  ],
  exports: [ClientAssertionVerifier],
})
export class ClientAssertionsModule {}

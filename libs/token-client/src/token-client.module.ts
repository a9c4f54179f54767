import { Module } from '@nestjs/common';
import { AccessTokenProvider } from './access-token-provider';
import { AuthorizedFetch } from './authorized-fetch';
import {
  ConfigurableTokenClientModule,
  RESOLVED_TOKEN_CLIENT_OPTIONS,
  TOKEN_CLIENT_OPTIONS,
} from './token-client.module-definition';
import { resolveTokenClientOptions } from './token-client.options';
import { TokenEndpoint } from './token-endpoint';

/**
 * A client credentials token client, like Duende's AccessTokenManagement: import it with
 * `TokenClientModule.forRoot({ authority, clientId, clientSecret, scope })` (or `forRootAsync`),
 * then inject `AuthorizedFetch` to call a protected API, or `AccessTokenProvider` for the token.
 * Bad options stop the app at start-up; the authority is first contacted on the first call.
 */
@Module({
  providers: [
    {
      provide: RESOLVED_TOKEN_CLIENT_OPTIONS,
      useFactory: resolveTokenClientOptions,
      inject: [TOKEN_CLIENT_OPTIONS],
    },
    TokenEndpoint,
    AccessTokenProvider,
    AuthorizedFetch,
  ],
  exports: [AccessTokenProvider, AuthorizedFetch],
})
export class TokenClientModule extends ConfigurableTokenClientModule {}

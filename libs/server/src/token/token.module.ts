import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ClientAuthenticationModule } from '../client-authentication/client-authentication.module';
import { DPoPNonces } from '../dpop/dpop-nonces';
import { DPoPProofChecker } from '../dpop/dpop-proof.checker';
import { ReferenceTokensModule } from '../reference-tokens/reference-tokens.module';
import { AccessTokenIssuer } from './access-token.issuer';
import { GrantHandlerRegistry } from './grant-handler.registry';
import { ClientCredentialsGrant } from './grants/client-credentials.grant';
import { TokenController } from './token.controller';

/**
 * The token endpoint, its grants, and access-token signing. Uses the global ClientsModule and
 * KeysModule that IdentityModule configures.
 */
@Module({
  imports: [DiscoveryModule, ClientAuthenticationModule, ReferenceTokensModule],
  controllers: [TokenController],
  providers: [
    GrantHandlerRegistry,
    AccessTokenIssuer,
    ClientCredentialsGrant,
    DPoPNonces,
    DPoPProofChecker,
  ],
  // AccessTokenIssuer for the host's own grants (IdentityServerModule's `providers`).
  exports: [GrantHandlerRegistry, DPoPProofChecker, AccessTokenIssuer],
})
export class TokenModule {}

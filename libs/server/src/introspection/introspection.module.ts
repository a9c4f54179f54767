import { Module } from '@nestjs/common';
import { ClientAuthenticationModule } from '../client-authentication/client-authentication.module';
import { ReferenceTokensModule } from '../reference-tokens/reference-tokens.module';
import { IntrospectionCallerAuthenticator } from './introspection-caller';
import { IntrospectionController } from './introspection.controller';
import { RevocationController } from './revocation.controller';
import { TokenInspector } from './token-inspector';
import { TokenRevoker } from './token-revoker';

/**
 * Introspection (RFC 7662, RFC 9701) and revocation (RFC 7009) of the access tokens this
 * authority issues, JWTs and reference tokens alike. Uses the global ClientsModule, KeysModule
 * and PersistenceModule.
 */
@Module({
  imports: [ClientAuthenticationModule, ReferenceTokensModule],
  controllers: [IntrospectionController, RevocationController],
  providers: [IntrospectionCallerAuthenticator, TokenInspector, TokenRevoker],
  // The admin API judges its tokens with the same verifier.
  exports: [TokenInspector],
})
export class IntrospectionModule {}

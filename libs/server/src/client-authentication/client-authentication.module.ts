import { Module } from '@nestjs/common';
import { ClientAuthenticator } from './client-authenticator';

/**
 * Client authentication for the OAuth endpoints that authenticate their caller: token,
 * introspection and revocation (docs/architecture.md, "Modules"). Only those endpoints import
 * it, so the CLI, which authenticates no one, never builds it. It uses the global ClientsModule
 * (the client store), ClientAssertionsModule, RateLimitModule (the lock-out), AuditModule and
 * IdentityMetricsModule that IdentityModule configures.
 */
@Module({
  providers: [ClientAuthenticator],
  exports: [ClientAuthenticator],
})
export class ClientAuthenticationModule {}

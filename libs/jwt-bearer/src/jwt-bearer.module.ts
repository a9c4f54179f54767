import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AccessTokenPipeline } from './access-token-pipeline';
import { AccessTokenVerifier } from './access-token-verifier';
import { AuthorityMetadata } from './authority-metadata';
import { AuthorityReadiness } from './authority-readiness';
import { JwtAuthGuard } from './jwt-auth.guard';
import {
  ConfigurableJwtBearerModule,
  JWT_BEARER_OPTIONS,
  RESOLVED_JWT_BEARER_OPTIONS,
} from './jwt-bearer.module-definition';
import { resolveJwtBearerOptions } from './jwt-bearer.options';
import { JwtStrategy } from './jwt.strategy';
import { SigningKeyResolver } from './signing-key-resolver';
import { VerifiedTokenCache } from './verified-token-cache';
import { DPoPProofVerifier } from './dpop/dpop-proof-verifier';
import { DPoPReplayCache } from './dpop/dpop-replay-cache';
import { TokenIntrospector } from './introspection/token-introspector';

/**
 * A JWT bearer resource server, like ASP.NET's AddJwtBearer: import it once with
 * `JwtBearerModule.forRoot({ authority, audience })` (or `forRootAsync`) and every route needs a
 * valid access token, except those marked `@Public()`. A revocation check plugs in with
 * `tokenRevocation` (see TokenRevocation); the module provides it (default: nothing is revoked).
 * DPoP-bound tokens (RFC 9449) are checked unless `dpop: { enabled: false }`; reference tokens
 * are resolved through introspection (RFC 7662) when `introspection` is configured.
 */
@Module({
  providers: [
    {
      provide: RESOLVED_JWT_BEARER_OPTIONS,
      useFactory: resolveJwtBearerOptions,
      inject: [JWT_BEARER_OPTIONS],
    },
    AuthorityMetadata,
    SigningKeyResolver,
    VerifiedTokenCache,
    DPoPReplayCache,
    DPoPProofVerifier,
    TokenIntrospector,
    AccessTokenVerifier,
    AccessTokenPipeline,
    JwtStrategy,
    JwtAuthGuard,
    { provide: APP_GUARD, useExisting: JwtAuthGuard },
    AuthorityReadiness,
  ],
  exports: [JwtAuthGuard, AuthorityReadiness, AuthorityMetadata],
})
export class JwtBearerModule extends ConfigurableJwtBearerModule {}

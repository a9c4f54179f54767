// The only entry of @nest-identity/jwt-bearer: a JWT bearer resource server for Nest (RFC 6750, RFC 9068),
// with DPoP-bound tokens (RFC 9449) and reference tokens through introspection (RFC 7662).
//
// The errors it throws are OAuthErrors from @nest-identity/shared; the app registers their renderer once:
//   providers: [{ provide: APP_FILTER, useClass: OAuthErrorFilter }]
// so 401/403 carry the right `WWW-Authenticate` challenge and `{error, error_description}` body.
export { JwtBearerModule } from './jwt-bearer.module';
export type {
  JwtBearerOptions,
  DPoPProofAlgorithm,
  JwtBearerAlgorithm,
  IntrospectionOptions,
  DPoPOptions,
} from './jwt-bearer.options';
export { jwkThumbprint } from '@nest-identity/shared';
export { DPoPProofAlgorithms, JwtBearerAlgorithms } from './jwt-bearer.options';
export type { JwtBearerExtras } from './jwt-bearer.module-definition';
export { TokenRevocation, NoTokenRevocation } from './token-revocation';
export { JwtAuthGuard } from './jwt-auth.guard';
export { Public } from './public.decorator';
export { RequireScopes } from './require-scopes.decorator';
export { ScopesGuard } from './scopes.guard';
export { TokenClaims } from './token-claims.decorator';
export type { AccessTokenClaims } from './access-token-claims';
export { AuthorityReadiness } from './authority-readiness';
export { JwtBearerMetrics } from './jwt-bearer-metrics';
export type { JwksFetchOutcome, TokenValidationOutcome } from './jwt-bearer-metrics';
export { AuthorityMetadata, AuthorityMetadataError } from './authority-metadata';
export type { AuthorityMetadataDocument } from './authority-metadata';

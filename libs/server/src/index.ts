// The main entry of @nest-identity/server, the OAuth 2.0 authority (docs/extending.md):
// IdentityServerModule, to mount the authority in your own Nest app, and its extension points.
// The standalone server and the command line (the package's `bin`) are the second entry,
// @nest-identity/server/standalone, so that a host app loads none of their dependencies.
export { IdentityServerModule } from './identity-server.module';
export type {
  IdentityServerOptions,
  IdentityServerAsyncOptions,
  IdentityServerExtensions,
} from './identity-server.module';
export type {
  IdentityEnvironmentValues,
  IdentitySettingsSource,
} from './config/identity-settings.module';
export { identitySettings, type IdentitySettings } from './config/identity-settings';
// Extension points.
export { GrantType, type GrantHandler, type TokenResponse } from './token/grant-handler';
export {
  AccessTokenIssuer,
  type AccessTokenGrant,
  type IssuedAccessToken,
} from './token/access-token.issuer';
export {
  TokenClaimsService,
  TokenRequestValidator,
  type TokenRequestContext,
  type TokenRequestAmendment,
} from './token/token-extensions';
export { ClientStore } from './clients/client-store';
export { ResourceStore } from './clients/resource-store';
export type { Client, ClientSecret, ClientSource, ApiScope, ApiResource } from './clients/client';
export { OAuthForm } from './http/oauth-form';
export type { DPoPBinding } from './dpop/dpop-binding';
export { AuditEventSink } from './audit/audit-event-sink';
export {
  AuditEvent,
  ClientAuthenticationFailed,
  ClientAuthenticationFailures,
  type ClientAuthenticationFailure,
  TokenIssued,
  ClientChanged,
  type ClientChange,
  SigningKeyRotated,
  type SigningKeyAction,
  type SigningKeyDetails,
} from './audit/audit-events';
// For a Fastify host that wants the standalone server's own body parsers (its size limit, its
// JSON markers, `invalid_request` for any media type) and its CORS and method rules. Not needed:
// on Express or on Fastify, the host's default parsers work as well (OAuthForm, readFormBody).
export { REQUEST_BODY_LIMIT, registerBodyParsers } from './http/form-body';
export { allowCrossOriginCalls } from './http/cross-origin';
export { refuseOtherMethods } from './http/post-only-endpoints';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder } from '@nestjs/swagger';
import { ClientAuthMethods, OAuthPaths, Scopes } from '@nest-identity/shared';
import { serveApiDocs } from '@nest-identity/shared/hosting';
import { identitySettings, type IdentitySettings } from '../config/identity-settings';

/** The security schemes the identity's operations name. */
export const IdentitySecurity = {
  /** client_secret_basic at the token endpoint (client_secret_post needs no scheme: the body). */
  ClientSecretBasic: ClientAuthMethods.ClientSecretBasic,
  /** The admin API: a token of this identity with the scope identity.admin, obtained by Authorize. */
  AdminOAuth2: 'admin_oauth2',
  /** The same token, pasted. */
  AdminBearer: 'admin_bearer',
} as const;

/** Swagger UI and the OpenAPI document of the token endpoint, discovery, JWKS, health and admin API. */
export function serveIdentityDocs(app: NestFastifyApplication): void {
  const settings = app.get<IdentitySettings>(identitySettings.KEY);
  const tokenUrl = `${settings.issuer}${OAuthPaths.Token}`;
  const config = new DocumentBuilder()
    .setTitle('identity')
    .setDescription(
      `An OAuth 2.0 authority for machine-to-machine access (client credentials), issuer ${settings.issuer}.`,
    )
    .addBasicAuth(
      {
        type: 'http',
        scheme: 'basic',
        description: 'The client id and secret, each form-urlencoded first (RFC 6749 §2.3.1).',
      },
      IdentitySecurity.ClientSecretBasic,
    )
    .addOAuth2(
      {
        type: 'oauth2',
        description: `A token of this identity with the scope ${Scopes.IdentityAdmin}.`,
        flows: {
          clientCredentials: {
            tokenUrl,
            scopes: { [Scopes.IdentityAdmin]: "Manage the identity's clients" },
          },
        },
      },
      IdentitySecurity.AdminOAuth2,
    )
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: `An access token of this identity with the scope ${Scopes.IdentityAdmin}.`,
      },
      IdentitySecurity.AdminBearer,
    )
    .build();
  serveApiDocs(app, { config, tokenUrl: () => Promise.resolve(tokenUrl) });
}

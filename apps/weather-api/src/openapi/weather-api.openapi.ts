import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder } from '@nestjs/swagger';
import { AuthorityMetadata } from '@nest-identity/jwt-bearer';
import { OAuthPaths, Scopes } from '@nest-identity/shared';
import { serveApiDocs } from '@nest-identity/shared/hosting';
import { weatherApiConfig, type WeatherApiSettings } from '../config/weather-api.config';

/** The name of the security scheme that the weather-api's operations require. */
export const WeatherApiSecurity = 'oauth2';

/**
 * Swagger UI and the OpenAPI document of the weather-api. Its OAuth2 client-credentials scheme
 * points at the authority's token endpoint, so Authorize gets a token with a client id and secret.
 */
export function serveWeatherApiDocs(app: NestFastifyApplication): void {
  const settings = app.get<WeatherApiSettings>(weatherApiConfig.KEY);
  const authority = app.get(AuthorityMetadata);
  const config = new DocumentBuilder()
    .setTitle('weather-api')
    .setDescription(
      `A resource server: every call needs an access token from ${settings.authority} with the scope ${Scopes.Api1}.`,
    )
    .addOAuth2(
      {
        type: 'oauth2',
        description: 'OAuth 2.0 client credentials (RFC 6749 §4.4) at the authority.',
        // Replaced at each request by tokenUrlOf: the authority may be down at start-up.
        flows: {
          clientCredentials: {
            tokenUrl: `${settings.authority}${OAuthPaths.Token}`,
            scopes: ApiScopes,
          },
        },
      },
      WeatherApiSecurity,
    )
    .build();
  serveApiDocs(app, { config, tokenUrl: () => tokenUrlOf(settings, authority) });
}

const ApiScopes = { [Scopes.Api1]: 'Read the weather forecast' };

/**
 * OPENAPI_TOKEN_URL when set (the browser reaches the authority at another address), else the
 * discovered token endpoint; while discovery fails, the authority's usual token path.
 */
async function tokenUrlOf(
  settings: WeatherApiSettings,
  authority: AuthorityMetadata,
): Promise<string> {
  if (settings.openApiTokenUrl) return settings.openApiTokenUrl;
  const discovered = await authority.get().then(
    (document) => document.tokenEndpoint,
    () => undefined,
  );
  return discovered ?? `${settings.authority}${OAuthPaths.Token}`;
}

import { registerAs, type ConfigType } from '@nestjs/config';
import {
  WeatherApiEnvironment,
  definedEnvironment,
  toServerSettings,
  validateWith,
} from '@nest-identity/shared';

/** The weather-api's settings, typed, from the environment validated by WeatherApiEnvironment. */
export const weatherApiConfig = registerAs('weatherApi', () =>
  weatherApiSettingsFrom(
    validateWith(WeatherApiEnvironment, definedEnvironment(process.env), 'environment', {
      allowUnknownProperties: true,
    }),
  ),
);

export type WeatherApiSettings = ConfigType<typeof weatherApiConfig>;

function weatherApiSettingsFrom(environment: WeatherApiEnvironment) {
  return {
    port: environment.PORT,
    authority: environment.AUTHORITY,
    audience: environment.AUDIENCE,
    clockSkewSeconds: environment.CLOCK_SKEW,
    /** The RFC 9068 claims besides iss, exp and aud a token must carry. */
    requiredClaims: environment.REQUIRED_CLAIMS,
    /** The longest token lifetime accepted, in seconds. */
    maxTokenLifetimeSeconds: environment.MAX_TOKEN_LIFETIME_SECONDS,
    /** How long fetched signing keys answer before the JWKS is asked again. */
    keyCacheSeconds: environment.KEY_CACHE_SECONDS,
    server: toServerSettings(environment),
    /** Overrides the discovered token endpoint in the OpenAPI document. */
    openApiTokenUrl: environment.OPENAPI_TOKEN_URL,
    /** Resolves reference tokens through introspection when set. */
    apiSecret: environment.API_SECRET,
    /** How long an active introspection answer is reused. */
    introspectionCacheSeconds: environment.INTROSPECTION_CACHE_SECONDS,
    /** What DPoP proofs must name as `htu` (with the path); default: from the request. */
    publicUrl: environment.PUBLIC_URL,
    requireHttpsMetadata:
      environment.REQUIRE_HTTPS_METADATA ?? environment.NODE_ENV === 'production',
  };
}

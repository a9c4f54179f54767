import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Max,
  Min,
} from 'class-validator';
import { Documented } from './documented';
import { AccessTokenRequiredClaims, type AccessTokenRequiredClaim } from '../oauth/oauth.constants';
import { IsHttpUrl } from './is-http-url';
import { ServerEnvironment } from './server-environment';

/** The weather-api's environment (see docs/reference.md "Environment variables"), with its defaults. */
export class WeatherApiEnvironment extends ServerEnvironment {
  @Documented({ meaning: '{rule}.' })
  @Type(() => Number)
  @Min(0)
  @Max(65535)
  @IsInt()
  PORT: number = 5003;

  @Documented({ meaning: '{rule} of the identity (its discovery document).' })
  @IsHttpUrl()
  AUTHORITY: string = 'http://localhost:5001';

  @Documented({ meaning: 'Non-empty: the `aud` a token must carry.' })
  @IsString()
  @IsNotEmpty()
  AUDIENCE: string = 'api1';

  @Documented({ meaning: '{rule}: seconds of tolerance on `exp` and `nbf`.' })
  @Type(() => Number)
  @Min(0)
  @Max(3600)
  @IsInt()
  CLOCK_SKEW: number = 60;

  /**
   * The RFC 9068 claims a token must carry besides `iss`, `exp` and `aud`: a comma-separated list
   * of `iat`, `jti`, `sub`, `client_id`, or `none`, for an authority that omits some.
   * Default: all four (the identity always issues them).
   */
  @Documented({
    meaning:
      '`none` or a comma-separated subset of those: the RFC 9068 §2.2 claims required besides `iss`, `exp`, `aud`.',
  })
  @Transform(({ value }: { value: unknown }) =>
    typeof value !== 'string'
      ? value
      : value.trim() === 'none'
        ? []
        : value.split(',').map((claim) => claim.trim()),
  )
  @IsIn(AccessTokenRequiredClaims, {
    each: true,
    message: `must be none or a comma-separated list of ${AccessTokenRequiredClaims.join(', ')}`,
  })
  REQUIRED_CLAIMS: readonly AccessTokenRequiredClaim[] = AccessTokenRequiredClaims;

  /**
   * The longest lifetime, in seconds, of a token the API accepts: `exp` at most this long after
   * `iat`, and from now. Default 1 day; raise it for clients given a longer `accessTokenLifetime`.
   */
  @Documented({ meaning: '{rule}: the longest token lifetime accepted.' })
  @Type(() => Number)
  @Min(1)
  @IsInt()
  MAX_TOKEN_LIFETIME_SECONDS: number = 86_400;

  /**
   * How long the API uses the signing keys it fetched before it asks the JWKS again: the longest
   * a key removed from the JWKS keeps verifying tokens when no token with a new kid makes the API
   * refetch sooner. Lower it to shorten that window, at one JWKS request per interval.
   */
  @Documented({ meaning: '{rule}: how long fetched keys are used before the JWKS is asked again.' })
  @Type(() => Number)
  @Min(1)
  @Max(86_400)
  @IsInt()
  KEY_CACHE_SECONDS: number = 600;

  /**
   * The token endpoint the API's Swagger UI sends the browser to, when the browser reaches the
   * authority at another address than the API does (docker compose). Default: discovered.
   */
  @Documented({
    default: 'unset (the discovered `token_endpoint`)',
    meaning: "{rule}: the token URL in the API's OpenAPI document.",
  })
  @IsOptional()
  @IsHttpUrl()
  OPENAPI_TOKEN_URL?: string;

  /**
   * The API resource's secret at the identity (one of its `apiSecrets`): with it, reference
   * tokens are resolved through the identity's introspection endpoint. Unset: only JWTs.
   */
  @Documented({
    default: 'unset (JWTs only)',
    meaning: "The `AUDIENCE` resource's secret: reference tokens are introspected.",
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  API_SECRET?: string;

  /**
   * With API_SECRET: how long an active introspection answer is reused (never beyond the token's
   * `exp`); a revoked reference token is refused at the latest this long after its revocation.
   * 0: every request introspects.
   */
  @Documented({ meaning: '{rule}: how long an active introspection answer is reused.' })
  @Type(() => Number)
  @Min(0)
  @Max(3600)
  @IsInt()
  INTROSPECTION_CACHE_SECONDS: number = 30;

  /**
   * The URL clients reach this API at (behind a proxy): DPoP proofs must name it as `htu`.
   * Default: the request's own protocol and Host header.
   */
  @Documented({
    default: "unset (the request's protocol and `Host`)",
    meaning: '{rule}: what DPoP proofs must name as `htu`, followed by the path.',
  })
  @IsOptional()
  @IsHttpUrl()
  PUBLIC_URL?: string;

  /** Defaults to true when NODE_ENV is `production`. */
  @Documented({
    default: '`true` with `NODE_ENV=production`, else `false`',
    meaning: '{rule}: refuse an `http://` authority or `jwks_uri`.',
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    value === 'true' ? true : value === 'false' ? false : value,
  )
  @IsBoolean({ message: 'must be true or false' })
  REQUIRE_HTTPS_METADATA?: boolean;
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  GrantTypes,
  InvalidClient,
  InvalidDPoPProof,
  InvalidRequest,
  InvalidScope,
  InvalidTarget,
  TemporarilyUnavailable,
  UnauthorizedClient,
  UnsupportedGrantType,
  UseDPoPNonce,
} from '@nest-identity/shared';
import { REQUEST_BODY_LIMIT } from '../http/form-body';
import type { TokenResponse } from './grant-handler';

/** The token request's form (RFC 6749 §4.4.2, §2.3.1); OAuthForm reads it, this documents it. */
export class TokenRequestForm {
  @ApiProperty({ example: GrantTypes.ClientCredentials })
  grant_type!: string;

  @ApiPropertyOptional({
    example: 'api1',
    description: 'Space-delimited. Omitted: every scope the client is allowed.',
  })
  scope?: string;

  @ApiPropertyOptional({
    example: 'https://orders.example.com/',
    description:
      "RFC 8707: an API resource (absolute URI) the token is for; may repeat. The token's `aud` is then exactly the named resources.",
  })
  resource?: string;

  @ApiPropertyOptional({ description: 'client_secret_post; never together with Basic.' })
  client_id?: string;

  @ApiPropertyOptional({ description: 'client_secret_post; never together with Basic.' })
  client_secret?: string;
}

export class TokenResponseSchema implements TokenResponse {
  @ApiProperty({ description: 'A JWT (RFC 9068, `typ: at+jwt`).' })
  access_token!: string;

  @ApiProperty({ enum: ['Bearer', 'DPoP'] })
  token_type!: 'Bearer' | 'DPoP';

  @ApiProperty({ type: 'integer', example: 3600, description: 'Seconds until it expires.' })
  expires_in!: number;

  @ApiProperty({ example: 'api1', description: 'The granted scopes, space-delimited.' })
  scope!: string;
}

/** The token endpoint's error table (docs/reference.md "OAuth errors of the identity"): real error objects, so each status and body is what the filter renders. */
export const TokenEndpointErrors = [
  {
    error: new InvalidRequest('grant_type is required'),
    when: 'grant_type missing, a parameter repeated, two authentication methods, body not form-encoded',
  },
  {
    error: new UnsupportedGrantType('the grant_type is not supported'),
    when: 'an unknown grant_type',
  },
  {
    error: new UnauthorizedClient('the client is not allowed the grant type client_credentials'),
    when: 'the client is not allowed the grant',
  },
  {
    error: new InvalidScope('the scope api2 is not allowed'),
    when: 'a scope unknown or not allowed',
  },
  {
    error: new InvalidTarget('a requested resource is unknown'),
    when: "a `resource` malformed, unknown, or not in the client's allowedResources (RFC 8707)",
  },
  {
    error: new InvalidDPoPProof('the DPoP proof signature does not verify with its jwk'),
    when: 'the `DPoP` header is not a valid proof, repeated, or replayed (RFC 9449 §4.3)',
  },
  {
    error: new UseDPoPNonce('<nonce>'),
    when: 'the DPoP proof lacks the current server nonce, sent in `DPoP-Nonce` (RFC 9449 §8)',
  },
  {
    error: new InvalidClient('documentation'),
    when: 'unknown client, wrong, missing or expired secret, disabled client (`WWW-Authenticate: Basic` when Basic was tried)',
  },
  {
    error: new InvalidRequest('the request body is too large', 413),
    when: `the body is over ${REQUEST_BODY_LIMIT / 1024} KiB`,
  },
  {
    error: new TemporarilyUnavailable('too many requests, try again later', 429, 1),
    when: "a rate limit or the client's lock-out (`Retry-After`)",
  },
  {
    error: new TemporarilyUnavailable('the store is unavailable, try again later', 503, 1),
    when: 'the database is out of reach (`Retry-After`)',
  },
];

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { InvalidClient, InvalidRequest, TemporarilyUnavailable } from '@nest-identity/shared';

/** The introspection and revocation form (RFC 7662 §2.1, RFC 7009 §2.1); documentation only. */
export class TokenParameterForm {
  @ApiProperty({ description: 'The access token: a JWT of this authority, or a reference handle.' })
  token!: string;

  @ApiPropertyOptional({
    example: 'access_token',
    description: 'A hint only; the token is found by its own shape, an unknown hint is ignored.',
  })
  token_type_hint?: string;

  @ApiPropertyOptional({ description: 'client_secret_post (or the API resource name).' })
  client_id?: string;

  @ApiPropertyOptional({ description: 'client_secret_post (or one of the resource apiSecrets).' })
  client_secret?: string;
}

export class IntrospectionResponseSchema {
  @ApiProperty({ description: 'false for anything unknown, expired, revoked or not yours.' })
  active!: boolean;

  @ApiPropertyOptional({ enum: ['Bearer', 'DPoP'] })
  token_type?: string;

  @ApiPropertyOptional({ example: 'api1' })
  scope?: string;

  @ApiPropertyOptional()
  client_id?: string;
}

/** What both endpoints refuse, as OAuthErrorFilter renders it. */
export const TokenParameterEndpointErrors = [
  {
    error: new InvalidRequest('the token parameter is required'),
    when: 'token missing, a parameter repeated, two authentication methods, body not form-encoded',
  },
  { error: new InvalidClient('unknown client'), when: 'the caller is not authenticated' },
  {
    error: new TemporarilyUnavailable('the authority cannot reach its store', 503, 5),
    when: 'the database cannot answer',
  },
];

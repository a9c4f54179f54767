import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** RFC 8414 authorization server metadata, as MetadataController derives it. */
export class MetadataSchema {
  @ApiProperty({ example: 'http://localhost:5001' })
  issuer!: string;

  @ApiProperty({ example: 'http://localhost:5001/connect/token' })
  token_endpoint!: string;

  @ApiProperty({ example: 'http://localhost:5001/.well-known/openid-configuration/jwks' })
  jwks_uri!: string;

  @ApiProperty({ type: [String], example: ['client_credentials'] })
  grant_types_supported!: string[];

  @ApiProperty({
    type: [String],
    example: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'client_secret_jwt'],
  })
  token_endpoint_auth_methods_supported!: string[];

  @ApiProperty({
    type: [String],
    example: ['RS256', 'PS256', 'ES256', 'EdDSA', 'HS256'],
    description: 'The algorithms a client assertion may use (RFC 7523).',
  })
  token_endpoint_auth_signing_alg_values_supported!: string[];

  @ApiProperty({ example: 'http://localhost:5001/connect/introspect' })
  introspection_endpoint!: string;

  @ApiProperty({ type: [String], example: ['client_secret_basic', 'client_secret_post'] })
  introspection_endpoint_auth_methods_supported!: string[];

  @ApiProperty({
    type: [String],
    example: ['RS256'],
    description: 'RFC 9701: the algorithms a signed introspection response may use.',
  })
  introspection_signing_alg_values_supported!: string[];

  @ApiProperty({ example: 'http://localhost:5001/connect/revocation' })
  revocation_endpoint!: string;

  @ApiProperty({ type: [String], example: ['client_secret_basic', 'client_secret_post'] })
  revocation_endpoint_auth_methods_supported!: string[];

  @ApiProperty({ type: [String], example: ['RS256', 'ES256', 'HS256'] })
  introspection_endpoint_auth_signing_alg_values_supported!: string[];

  @ApiProperty({ type: [String], example: ['RS256', 'ES256', 'HS256'] })
  revocation_endpoint_auth_signing_alg_values_supported!: string[];

  @ApiProperty({ type: [String], example: ['api1'] })
  scopes_supported!: string[];

  @ApiProperty({ type: [String], example: [] })
  response_types_supported!: string[];

  @ApiProperty({
    type: [String],
    example: ['RS256'],
    description: 'The algorithms of the published keys (not IANA-registered).',
  })
  access_token_signing_alg_values_supported!: string[];

  @ApiProperty({
    type: [String],
    example: ['RS256', 'PS256', 'ES256', 'EdDSA'],
    description: 'The algorithms a DPoP proof at the token endpoint may use (RFC 9449 §5.1).',
  })
  dpop_signing_alg_values_supported!: string[];
}

/** A public JWK (RFC 7517): the members of its key type, never a private one. */
export class PublicJwkSchema {
  @ApiProperty({ enum: ['RSA', 'EC', 'OKP'] })
  kty!: string;

  @ApiProperty({ description: 'The JWK thumbprint (RFC 7638).' })
  kid!: string;

  @ApiProperty({ enum: ['sig'] })
  use!: string;

  @ApiProperty({ enum: ['RS256', 'PS256', 'ES256', 'EdDSA'] })
  alg!: string;

  @ApiPropertyOptional({ description: 'RSA' })
  n?: string;

  @ApiPropertyOptional({ description: 'RSA' })
  e?: string;

  @ApiPropertyOptional({ description: 'EC, OKP' })
  crv?: string;

  @ApiPropertyOptional({ description: 'EC, OKP' })
  x?: string;

  @ApiPropertyOptional({ description: 'EC' })
  y?: string;
}

export class JwksSchema {
  @ApiProperty({ type: PublicJwkSchema, isArray: true })
  keys!: PublicJwkSchema[];
}

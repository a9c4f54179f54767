import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateBy,
  ValidateIf,
  ValidateNested,
  type ValidationOptions,
} from 'class-validator';
import {
  AccessTokenTypes,
  ClientIdMaxLength,
  IsJwksUri,
  IsPublicJwkSet,
  type AccessTokenType,
  ClientIdPattern,
  ClientIdRule,
  IsClientId,
  MaxAccessTokenLifetime,
  ClaimShapeMessage,
  IsConfigurableClaimType,
} from '@nest-identity/shared';

/**
 * What the admin API and the CLI accept, with the configuration file's rules (client id,
 * lifetime bounds, reserved claims). Rules that need the stores (a scope is defined, a grant type
 * is supported, an id is free) are checked by ClientManagementService after these.
 */

/** A supplied secret must be worth hashing with a fast hash; generated ones have 256 bits. */
export const MIN_SUPPLIED_SECRET_LENGTH = 16;

export class ClaimInput {
  @ApiProperty({ maxLength: 200, example: 'tenant', description: 'Not a protocol claim.' })
  @IsConfigurableClaimType()
  @HasNoControlCharacter()
  @MaxLength(200)
  @IsNotEmpty()
  @IsString()
  type!: string;

  @ApiProperty({ maxLength: 2000, example: 'acme' })
  @HasNoControlCharacter()
  @MaxLength(2000)
  @IsString()
  value!: string;
}

export class SecretInput {
  /** Omitted: the server generates one (32 random bytes) and shows it once. */
  @ApiPropertyOptional({
    minLength: MIN_SUPPLIED_SECRET_LENGTH,
    maxLength: 512,
    description: 'Omitted: the server generates one (32 random bytes) and shows it once.',
  })
  @IsOptional()
  @HasNoControlCharacter()
  @MaxLength(512)
  @MinLength(MIN_SUPPLIED_SECRET_LENGTH)
  @IsString()
  value?: string;

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @HasNoControlCharacter()
  @MaxLength(200)
  @IsString()
  description?: string;

  /** ISO 8601 instant; after it the secret no longer authenticates. */
  @ApiPropertyOptional({
    format: 'date-time',
    description: 'In the future; after it the secret no longer authenticates.',
  })
  @IsOptional()
  @IsInTheFuture()
  @IsISO8601({ strict: true })
  expiration?: string;

  /**
   * Also keep the secret encrypted (IDENTITY_KEY_ENCRYPTION_KEY), so the client can use
   * client_secret_jwt with it. Refused when no encryption key is configured.
   */
  @ApiPropertyOptional({
    default: false,
    description:
      'Keep the secret encrypted under IDENTITY_KEY_ENCRYPTION_KEY as well, for client_secret_jwt (RFC 7523).',
  })
  @IsOptional()
  @IsBoolean()
  clientSecretJwt?: boolean;
}

export class CreateClientInput {
  @ApiProperty({
    minLength: 1,
    maxLength: ClientIdMaxLength,
    pattern: ClientIdPattern.source,
    example: 'billing-service',
    description: `${ClientIdRule}, e.g. \`urn:acme:billing\` or \`spiffe://example.org/sa/billing\`.`,
  })
  @IsClientId()
  clientId!: string;

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @HasNoControlCharacter()
  @MaxLength(200)
  @IsString()
  clientName?: string;

  @ApiPropertyOptional({ maxLength: 1000 })
  @IsOptional()
  @HasNoControlCharacter()
  @MaxLength(1000)
  @IsString()
  description?: string;

  @ApiPropertyOptional({ default: true })
  @IsBoolean()
  enabled: boolean = true;

  @ApiPropertyOptional({ type: [String], default: [], example: ['client_credentials'] })
  @ArrayUnique()
  @HasNoControlCharacter({ each: true })
  @IsString({ each: true })
  @IsArray()
  allowedGrantTypes: string[] = [];

  @ApiPropertyOptional({ type: [String], default: [], example: ['api1'] })
  @ArrayUnique()
  @HasNoControlCharacter({ each: true })
  @IsString({ each: true })
  @IsArray()
  allowedScopes: string[] = [];

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MaxAccessTokenLifetime,
    default: 3600,
  })
  @Max(MaxAccessTokenLifetime)
  @Min(1)
  @IsInt()
  accessTokenLifetime: number = 3600;

  @ApiPropertyOptional({ type: ClaimInput, isArray: true, default: [] })
  @ValidateNested({ each: true })
  @IsObject({ each: true, message: ClaimShapeMessage })
  @Type(() => ClaimInput)
  @IsArray()
  claims: ClaimInput[] = [];

  @ApiPropertyOptional({ enum: Object.values(AccessTokenTypes), default: AccessTokenTypes.Jwt })
  @IsIn(Object.values(AccessTokenTypes))
  accessTokenType: AccessTokenType = AccessTokenTypes.Jwt;

  @ApiPropertyOptional({ default: false, description: 'Every token must be DPoP-bound.' })
  @IsBoolean()
  requireDPoP: boolean = false;

  @ApiPropertyOptional({
    type: [String],
    default: [],
    description: 'API resources the client may name with `resource` (RFC 8707).',
  })
  @ArrayUnique()
  @HasNoControlCharacter({ each: true })
  @IsString({ each: true })
  @IsArray()
  allowedResources: string[] = [];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'A JWK Set of public keys for private_key_jwt (RFC 7523).',
  })
  @IsOptional()
  @IsPublicJwkSet()
  jwks?: { keys: Record<string, string | boolean | number | string[]>[] };

  @ApiPropertyOptional({ format: 'uri', description: 'Where the client publishes its JWK Set.' })
  @IsOptional()
  @IsJwksUri()
  jwksUri?: string;

  /** The client's first secret; generated when omitted or given without a value. */
  @ApiPropertyOptional({
    type: SecretInput,
    description: 'The first secret; generated when omitted or given without a value.',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => SecretInput)
  secret?: SecretInput;
}

/**
 * A partial change (PATCH). A property left out stays as it is; lists are replaced whole;
 * `clientName` and `description` may be `null` to clear them, the other properties may not.
 */
export class UpdateClientInput {
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: 200,
    description: 'null clears it.',
  })
  @IsOptional()
  @HasNoControlCharacter()
  @MaxLength(200)
  @IsString()
  clientName?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: 1000,
    description: 'null clears it.',
  })
  @IsOptional()
  @HasNoControlCharacter()
  @MaxLength(1000)
  @IsString()
  description?: string | null;

  @ApiPropertyOptional()
  @ValidateIf(isGiven)
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ type: [String], description: 'Replaces the list.' })
  @ValidateIf(isGiven)
  @ArrayUnique()
  @HasNoControlCharacter({ each: true })
  @IsString({ each: true })
  @IsArray()
  allowedGrantTypes?: string[];

  @ApiPropertyOptional({ type: [String], description: 'Replaces the list.' })
  @ValidateIf(isGiven)
  @ArrayUnique()
  @HasNoControlCharacter({ each: true })
  @IsString({ each: true })
  @IsArray()
  allowedScopes?: string[];

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MaxAccessTokenLifetime })
  @ValidateIf(isGiven)
  @Max(MaxAccessTokenLifetime)
  @Min(1)
  @IsInt()
  accessTokenLifetime?: number;

  @ApiPropertyOptional({ type: ClaimInput, isArray: true, description: 'Replaces the list.' })
  @ValidateIf(isGiven)
  @ValidateNested({ each: true })
  @IsObject({ each: true, message: ClaimShapeMessage })
  @Type(() => ClaimInput)
  @IsArray()
  claims?: ClaimInput[];

  @ApiPropertyOptional({ enum: Object.values(AccessTokenTypes) })
  @ValidateIf(isGiven)
  @IsIn(Object.values(AccessTokenTypes))
  accessTokenType?: AccessTokenType;

  @ApiPropertyOptional()
  @ValidateIf(isGiven)
  @IsBoolean()
  requireDPoP?: boolean;

  @ApiPropertyOptional({ type: [String], description: 'Replaces the list.' })
  @ValidateIf(isGiven)
  @ArrayUnique()
  @HasNoControlCharacter({ each: true })
  @IsString({ each: true })
  @IsArray()
  allowedResources?: string[];

  @ApiPropertyOptional({
    type: 'object',
    nullable: true,
    additionalProperties: true,
    description: 'Replaces the JWK Set; null removes it.',
  })
  @IsOptional()
  @IsPublicJwkSet()
  jwks?: { keys: Record<string, string | boolean | number | string[]>[] } | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'null removes it.' })
  @IsOptional()
  @IsJwksUri()
  jwksUri?: string | null;
}

/** `null` is a value (refused unless the property allows it); only `undefined` means "left out". */
function isGiven(_object: object, value: unknown): boolean {
  return value !== undefined;
}

/**
 * Text shown to operators (names, descriptions, claims) and secrets: no control character (C0,
 * DEL, C1), which could rewrite a terminal line or a log line, and which the token endpoint
 * refuses in every parameter anyway.
 */
function HasNoControlCharacter(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'hasNoControlCharacter',
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || !/\p{Cc}/u.test(value),
        defaultMessage: () =>
          options?.each
            ? 'each value must not contain a control character'
            : 'must not contain a control character',
      },
    },
    options,
  );
}

function IsInTheFuture(): PropertyDecorator {
  return ValidateBy({
    name: 'isInTheFuture',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' && new Date(value).getTime() > Date.now(),
      defaultMessage: () => 'must be in the future',
    },
  });
}

import { Type } from 'class-transformer';
import {
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateBy,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import {
  ClientIdMaxLength,
  ClientIdPattern,
  ClientIdPatternMessage,
  MaxAccessTokenLifetime,
  ReservedClaimTypes,
} from '@app/shared';

/**
 * What the admin API and the CLI accept, with the configuration file's rules (client id,
 * lifetime bounds, reserved claims). Rules that need the stores (a scope is defined, a grant type
 * is supported, an id is free) are checked by ClientManagementService after these.
 */

/** A supplied secret must be worth hashing with a fast hash; generated ones have 256 bits. */
export const MIN_SUPPLIED_SECRET_LENGTH = 16;

export class ClaimInput {
  @IsNotReservedClaimType()
  @MaxLength(200)
  @IsNotEmpty()
  @IsString()
  type!: string;

  @MaxLength(2000)
  @IsString()
  value!: string;
}

export class SecretInput {
  /** Omitted: the server generates one (32 random bytes) and shows it once. */
  @IsOptional()
  @MaxLength(512)
  @MinLength(MIN_SUPPLIED_SECRET_LENGTH)
  @IsString()
  value?: string;

  @IsOptional()
  @MaxLength(200)
  @IsString()
  description?: string;

  /** ISO 8601 instant; after it the secret no longer authenticates. */
  @IsOptional()
  @IsInTheFuture()
  @IsISO8601({ strict: true })
  expiration?: string;
}

export class CreateClientInput {
  @MaxLength(ClientIdMaxLength)
  @Matches(ClientIdPattern, { message: ClientIdPatternMessage })
  @IsString()
  clientId!: string;

  @IsOptional()
  @MaxLength(200)
  @IsString()
  clientName?: string;

  @IsOptional()
  @MaxLength(1000)
  @IsString()
  description?: string;

  @IsBoolean()
  enabled: boolean = true;

  @ArrayUnique()
  @IsString({ each: true })
  @IsArray()
  allowedGrantTypes: string[] = [];

  @ArrayUnique()
  @IsString({ each: true })
  @IsArray()
  allowedScopes: string[] = [];

  @Max(MaxAccessTokenLifetime)
  @Min(1)
  @IsInt()
  accessTokenLifetime: number = 3600;

  @ValidateNested({ each: true })
  @Type(() => ClaimInput)
  @IsArray()
  claims: ClaimInput[] = [];

  /** The client's first secret; generated when omitted or given without a value. */
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
  @IsOptional()
  @MaxLength(200)
  @IsString()
  clientName?: string | null;

  @IsOptional()
  @MaxLength(1000)
  @IsString()
  description?: string | null;

  @ValidateIf(isGiven)
  @IsBoolean()
  enabled?: boolean;

  @ValidateIf(isGiven)
  @ArrayUnique()
  @IsString({ each: true })
  @IsArray()
  allowedGrantTypes?: string[];

  @ValidateIf(isGiven)
  @ArrayUnique()
  @IsString({ each: true })
  @IsArray()
  allowedScopes?: string[];

  @ValidateIf(isGiven)
  @Max(MaxAccessTokenLifetime)
  @Min(1)
  @IsInt()
  accessTokenLifetime?: number;

  @ValidateIf(isGiven)
  @ValidateNested({ each: true })
  @Type(() => ClaimInput)
  @IsArray()
  claims?: ClaimInput[];
}

/** `null` is a value (refused unless the property allows it); only `undefined` means "left out". */
function isGiven(_object: object, value: unknown): boolean {
  return value !== undefined;
}

/** As the configuration file: a configured claim must never override a protocol claim. */
function IsNotReservedClaimType(): PropertyDecorator {
  return ValidateBy({
    name: 'isNotReservedClaimType',
    validator: {
      validate: (value: unknown) => typeof value !== 'string' || !ReservedClaimTypes.has(value),
      defaultMessage: (args) =>
        `"${String(args?.value)}" is a protocol claim and cannot be configured`,
    },
  });
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

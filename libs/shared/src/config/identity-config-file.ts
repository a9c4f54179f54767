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
  ValidateBy,
  ValidateNested,
  type ValidationOptions,
} from 'class-validator';
import { IDENTITY_API_RESOURCE, Scopes } from '../scopes/scopes';

/**
 * The identity's configuration file: IdentityServer's `Config.cs` names in camelCase, so a team
 * can carry its clients, API scopes and API resources over. See CONTRACT.md for the schema.
 */

/** The longest access-token lifetime a client may have, in seconds: one year. */
export const MaxAccessTokenLifetime = 31_536_000;

/** RFC 6749 §3.3 scope-token. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
/**
 * RFC 6749 Appendix A.1: client_id = *VSCHAR; we also forbid spaces and ':' (Basic auth). The
 * same rule holds for clients created through the admin API and the CLI.
 */
export const ClientIdPattern = /^[\x21-\x39\x3B-\x7E]+$/;
export const ClientIdPatternMessage = 'must be printable ASCII without spaces or ":"';
export const ClientIdMaxLength = 200;

export class ApiScopeDefinition {
  @Matches(SCOPE_TOKEN, { message: 'must be a scope token (RFC 6749 §3.3: no spaces, no quotes)' })
  name!: string;

  @IsOptional()
  @IsString()
  displayName?: string;

  @IsOptional()
  @IsString()
  description?: string;
}

export class ApiResourceDefinition {
  @IsString()
  @IsNotEmpty()
  name!: string;

  @IsOptional()
  @IsString()
  displayName?: string;

  @IsOptional()
  @IsString()
  description?: string;

  @IsArray()
  @IsString({ each: true })
  scopes: string[] = [];
}

export class ClientSecretDefinition {
  @IsSha256Base64()
  value!: string;

  /** After this instant the secret no longer authenticates. */
  @IsOptional()
  @IsISO8601({ strict: true })
  expiration?: string;

  @IsOptional()
  @IsString()
  description?: string;
}

export class ClientClaimDefinition {
  @IsString()
  @IsNotEmpty()
  type!: string;

  @IsString()
  value!: string;
}

export class ClientDefinition {
  @Matches(ClientIdPattern, { message: ClientIdPatternMessage })
  @MaxLength(ClientIdMaxLength)
  clientId!: string;

  @IsOptional()
  @IsString()
  clientName?: string;

  @IsOptional()
  @IsString()
  description?: string;

  @IsBoolean()
  enabled: boolean = true;

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ClientSecretDefinition)
  clientSecrets: ClientSecretDefinition[] = [];

  @IsArray()
  @IsString({ each: true })
  @ArrayUnique()
  allowedGrantTypes: string[] = [];

  @IsArray()
  @IsString({ each: true })
  allowedScopes: string[] = [];

  @Min(1)
  @Max(MaxAccessTokenLifetime)
  @IsInt()
  accessTokenLifetime: number = 3600;

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ClientClaimDefinition)
  claims: ClientClaimDefinition[] = [];
}

export class IdentityConfigFile {
  /** Lets editors offer completion; ignored by the server. */
  @IsOptional()
  @IsString()
  $schema?: string;

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ApiScopeDefinition)
  apiScopes: ApiScopeDefinition[] = [];

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ApiResourceDefinition)
  apiResources: ApiResourceDefinition[] = [];

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ClientDefinition)
  clients: ClientDefinition[] = [];
}

/**
 * Claims a client may not configure: the token's own protocol claims (RFC 9068 §2.2, RFC 7519
 * §4.1), which a configured claim must never override.
 */
export const ReservedClaimTypes: ReadonlySet<string> = new Set([
  'iss',
  'sub',
  'aud',
  'exp',
  'nbf',
  'iat',
  'jti',
  'client_id',
  'scope',
  'cnf',
  'auth_time',
  'acr',
  'amr',
]);

/**
 * The rules one field cannot check alone: names are unique, every scope a resource or a client
 * names is defined, the built-in `identity.admin` scope and `identity` resource are not redefined
 * (a client may be allowed that scope without the file defining it), configured claims do not
 * shadow protocol claims. Returns every problem found.
 */
export function crossCheckIdentityConfig(config: IdentityConfigFile): string[] {
  const problems: string[] = [];
  const definedScopes = new Set<string>();
  config.apiScopes.forEach((scope, i) => {
    if (scope.name === Scopes.IdentityAdmin)
      problems.push(
        `apiScopes[${i}].name: "${scope.name}" is built into the identity (fix: remove this entry)`,
      );
    else if (definedScopes.has(scope.name))
      problems.push(`apiScopes[${i}].name: "${scope.name}" is defined twice (fix: remove one)`);
    definedScopes.add(scope.name);
  });
  const undefinedScope = (path: string, name: string) =>
    problems.push(
      `${path}: scope "${name}" is not defined in apiScopes (fix: define it in apiScopes or remove it)`,
    );

  const resourceNames = new Set<string>();
  config.apiResources.forEach((resource, i) => {
    if (resource.name === IDENTITY_API_RESOURCE)
      problems.push(
        `apiResources[${i}].name: "${resource.name}" is built into the identity (fix: choose another name)`,
      );
    else if (resourceNames.has(resource.name))
      problems.push(
        `apiResources[${i}].name: "${resource.name}" is defined twice (fix: remove one, or rename it)`,
      );
    resourceNames.add(resource.name);
    resource.scopes.forEach((name, j) => {
      if (name === Scopes.IdentityAdmin)
        problems.push(
          `apiResources[${i}].scopes[${j}]: "${name}" belongs to the built-in resource "${IDENTITY_API_RESOURCE}" (fix: remove it from this list)`,
        );
      else if (!definedScopes.has(name)) undefinedScope(`apiResources[${i}].scopes[${j}]`, name);
    });
  });

  const clientIds = new Set<string>();
  config.clients.forEach((client, i) => {
    if (clientIds.has(client.clientId))
      problems.push(
        `clients[${i}].clientId: "${client.clientId}" is defined twice (fix: remove one, or rename it)`,
      );
    clientIds.add(client.clientId);
    client.allowedScopes.forEach((name, j) => {
      if (name !== Scopes.IdentityAdmin && !definedScopes.has(name))
        undefinedScope(`clients[${i}].allowedScopes[${j}]`, name);
    });
    client.claims.forEach((claim, j) => {
      if (ReservedClaimTypes.has(claim.type))
        problems.push(
          `clients[${i}].claims[${j}].type: "${claim.type}" is a protocol claim and cannot be configured (fix: choose another claim type)`,
        );
    });
  });
  return problems;
}

/** base64 of a 32-byte SHA-256 digest: 43 characters and one '=' pad. */
function IsSha256Base64(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isSha256Base64',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/.test(value),
        defaultMessage: () =>
          "must be base64(SHA-256(secret)), never the secret itself (fix: hash it with `npm run hash-secret -- '<secret>'` and put what it prints here)",
      },
    },
    options,
  );
}

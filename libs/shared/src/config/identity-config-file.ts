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
  Matches,
  Max,
  Min,
  ValidateBy,
  ValidateIf,
  ValidateNested,
  type ValidationOptions,
} from 'class-validator';
import { Documented } from './documented';
import { IsClientId } from '../oauth/client-id';
import { ClaimShapeMessage, IsConfigurableClaimType } from '../oauth/configured-claims';
import { AccessTokenTypes, type AccessTokenType } from '../oauth/oauth.constants';
import { IDENTITY_API_RESOURCE, Scopes } from '../scopes/scopes';
import { IsJwksUri, IsPublicJwkSet } from './jwk-set';

/**
 * The identity's configuration file: IdentityServer's `Config.cs` names in camelCase, so a team
 * can carry its clients, API scopes and API resources over. See docs/reference.md "Configuration file" for the schema.
 */

/** The longest access-token lifetime a client may have, in seconds: one year. */
export const MaxAccessTokenLifetime = 31_536_000;

const EnvironmentVariableName = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** RFC 6749 §3.3 scope-token. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

export class ApiScopeDefinition {
  @Documented({
    meaning:
      'RFC 6749 §3.3 scope token (no space, `"` or `\\`), unique, not the built-in `identity.admin`.',
  })
  @Matches(SCOPE_TOKEN, { message: 'must be a scope token (RFC 6749 §3.3: no spaces, no quotes)' })
  name!: string;

  @Documented({ meaning: '' })
  @IsOptional()
  @IsString()
  displayName?: string;

  @Documented({ meaning: '' })
  @IsOptional()
  @IsString()
  description?: string;
}

export class ClientSecretDefinition {
  /** base64(SHA-256(secret)); absent when the secret comes from `environmentVariable`. */
  @Documented({
    meaning:
      'base64(SHA-256(secret)) (`npm run hash-secret`), never the secret; required unless `environmentVariable` is given, and not with it.',
  })
  @ValidateIf((secret: ClientSecretDefinition) => secret.environmentVariable === undefined)
  @IsSha256Base64()
  value?: string;

  /**
   * The name of an environment variable that holds the secret itself, instead of `value`: the
   * server can then read it, as client_secret_jwt (an HMAC with the secret) needs. The file
   * still never holds a secret.
   */
  @Documented({
    meaning:
      'The name (`[A-Za-z_][A-Za-z0-9_]*`) of a variable holding the secret itself, so the server can read it (`client_secret_jwt`).',
  })
  @IsOptional()
  @Matches(EnvironmentVariableName, {
    message: 'must be the name of an environment variable (letters, digits and _)',
  })
  environmentVariable?: string;

  /** After this instant the secret no longer authenticates. */
  @Documented({ meaning: 'Strict ISO 8601 instant; after it the secret no longer authenticates.' })
  @IsOptional()
  @IsISO8601({ strict: true })
  expiration?: string;

  @Documented({ meaning: '' })
  @IsOptional()
  @IsString()
  description?: string;
}

export class ApiResourceDefinition {
  @Documented({ meaning: "Non-empty, unique, not the built-in `identity`: the tokens' `aud`." })
  @IsString()
  @IsNotEmpty()
  name!: string;

  @Documented({ meaning: '' })
  @IsOptional()
  @IsString()
  displayName?: string;

  @Documented({ meaning: '' })
  @IsOptional()
  @IsString()
  description?: string;

  @Documented({ meaning: 'Each defined in `apiScopes`, never `identity.admin`.' })
  @IsArray()
  @IsString({ each: true })
  scopes: string[] = [];

  /** An absolute URI naming the resource in a `resource` parameter (RFC 8707). */
  @Documented({
    meaning: 'Absolute URI without fragment (RFC 8707 §2), unique: what `resource` names.',
  })
  @IsOptional()
  @IsAbsoluteUri()
  uri?: string;

  /** The resource's secrets for introspection: the same shape as a client's `clientSecrets`. */
  @Documented({
    type: '[secret](#secrets)[]',
    meaning: "The resource's secrets for introspection.",
  })
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ClientSecretDefinition)
  apiSecrets: ClientSecretDefinition[] = [];
}

export class ClientClaimDefinition {
  @IsConfigurableClaimType()
  @IsNotEmpty()
  @IsString()
  type!: string;

  @IsString()
  value!: string;
}

export class ClientDefinition {
  /** RFC 6749 VSCHAR, as the admin API and the CLI check it (oauth/client-id.ts). */
  @Documented({
    meaning:
      '1 to 200 printable ASCII characters (RFC 6749 Appendix A `VSCHAR`), unique, not also in the database.',
  })
  @IsClientId()
  clientId!: string;

  @Documented({ meaning: '' })
  @IsOptional()
  @IsString()
  clientName?: string;

  @Documented({ meaning: '' })
  @IsOptional()
  @IsString()
  description?: string;

  @Documented({ meaning: 'A disabled client gets `invalid_client`.' })
  @IsBoolean()
  enabled: boolean = true;

  @Documented({ type: '[secret](#secrets)[]', meaning: 'Any unexpired one authenticates.' })
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ClientSecretDefinition)
  clientSecrets: ClientSecretDefinition[] = [];

  @Documented({ meaning: 'No repeats; empty: allowed nothing (`unauthorized_client`).' })
  @IsArray()
  @IsString({ each: true })
  @ArrayUnique()
  allowedGrantTypes: string[] = [];

  @Documented({ meaning: 'Each defined in `apiScopes`, or `identity.admin`.' })
  @IsArray()
  @IsString({ each: true })
  allowedScopes: string[] = [];

  @Documented({ meaning: "Seconds, {rule}; a JWT client's at most `IDENTITY_KEY_RETENTION_TIME`." })
  @Min(1)
  @Max(MaxAccessTokenLifetime)
  @IsInt()
  accessTokenLifetime: number = 3600;

  @Documented({
    type: '`{type, value}`[]',
    meaning:
      'Strings; `type` non-empty, not a protocol claim (`iss`, `sub`, `aud`, `exp`, `nbf`, `iat`, `jti`, `client_id`, `scope`, `cnf`, `auth_time`, `acr`, `amr`, `active`…) nor an `Object.prototype` name.',
  })
  @IsArray()
  @ValidateNested({ each: true })
  @IsObject({ each: true, message: ClaimShapeMessage })
  @Type(() => ClientClaimDefinition)
  claims: ClientClaimDefinition[] = [];

  @Documented({ meaning: '`reference`: an opaque handle, resolved by introspection.' })
  @IsIn(Object.values(AccessTokenTypes))
  accessTokenType: AccessTokenType = AccessTokenTypes.Jwt;

  @Documented({ meaning: 'Every token request must carry a DPoP proof.' })
  @IsBoolean()
  requireDPoP: boolean = false;

  /** API resource names the client may request with `resource` (RFC 8707); none by default. */
  @Documented({
    meaning:
      'No repeats; each the `name` of an API resource (or `identity`): what `resource` may name.',
  })
  @IsArray()
  @IsString({ each: true })
  @ArrayUnique()
  allowedResources: string[] = [];

  /** The client's public keys for private_key_jwt, inline (a JWK Set, RFC 7517 §5). */
  @Documented({
    type: 'JWK Set',
    meaning: 'Public keys only (RFC 7517 §5), for `private_key_jwt`. Not with `jwksUri`.',
  })
  @IsOptional()
  @IsPublicJwkSet()
  jwks?: { keys: Record<string, string | boolean | number | string[]>[] };

  /** Where the client publishes its JWK Set for private_key_jwt, instead of `jwks`. */
  @Documented({
    meaning: 'Where the client publishes its JWK Set (https in production). Not with `jwks`.',
  })
  @IsOptional()
  @IsJwksUri()
  jwksUri?: string;
}

export class IdentityConfigFile {
  /** Lets editors offer completion; ignored by the server. */
  @Documented({ meaning: 'Ignored (for editors).' })
  @IsOptional()
  @IsString()
  $schema?: string;

  @Documented({ type: 'array', meaning: '[API scopes](#api-scopes).' })
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ApiScopeDefinition)
  apiScopes: ApiScopeDefinition[] = [];

  @Documented({ type: 'array', meaning: '[API resources](#api-resources).' })
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ApiResourceDefinition)
  apiResources: ApiResourceDefinition[] = [];

  @Documented({ type: 'array', meaning: '[Clients](#clients).' })
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ClientDefinition)
  clients: ClientDefinition[] = [];
}

/**
 * The rules one field cannot check alone: names are unique, every scope a resource or a client
 * names is defined, the built-in `identity.admin` scope and `identity` resource are not redefined
 * (a client may be allowed that scope without the file defining it). Returns every problem found.
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
  const resourceUris = new Set<string>();
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
    if (resource.uri !== undefined) {
      if (resourceUris.has(resource.uri))
        problems.push(
          `apiResources[${i}].uri: "${resource.uri}" names another API resource too (fix: make it unique)`,
        );
      resourceUris.add(resource.uri);
    }
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
    client.allowedResources.forEach((name, j) => {
      if (!resourceNames.has(name) && name !== IDENTITY_API_RESOURCE)
        problems.push(
          `clients[${i}].allowedResources[${j}]: "${name}" is not the name of an API resource (fix: define it in apiResources or remove it)`,
        );
    });
    client.clientSecrets.forEach((secret, j) => {
      if (secret.value !== undefined && secret.environmentVariable !== undefined)
        problems.push(
          `clients[${i}].clientSecrets[${j}]: has both value and environmentVariable (fix: keep one)`,
        );
    });
    if (client.jwks !== undefined && client.jwksUri !== undefined)
      problems.push(
        `clients[${i}]: has both jwks and jwksUri (fix: keep one; RFC 7591 §2 allows only one)`,
      );
  });
  return problems;
}

/** RFC 8707 §2: a resource is an absolute URI without a fragment. */
function IsAbsoluteUri(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isAbsoluteUri',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && isAbsoluteUri(value),
        defaultMessage: () => 'must be an absolute URI without a fragment (RFC 8707 §2)',
      },
    },
    options,
  );
}

export function isAbsoluteUri(value: string): boolean {
  if (value.includes('#') || !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(value)) return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
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

import type { AccessTokenType, ClientDefinition, JsonWebKeySet } from '@nest-identity/shared';
import type { ClientEntity, ClientSecretEntity } from '../../persistence/entities/client.entity';
import type { ClientSource } from '../client';

/**
 * A client as the admin API and the CLI show it. Never a secret hash: a secret is shown by its
 * public id, description and dates only.
 */
export interface ClientView {
  clientId: string;
  source: ClientSource;
  enabled: boolean;
  clientName: string | null;
  description: string | null;
  allowedGrantTypes: string[];
  allowedScopes: string[];
  accessTokenLifetime: number;
  claims: { type: string; value: string }[];
  accessTokenType: AccessTokenType;
  requireDPoP: boolean;
  allowedResources: string[];
  /** Public keys only (what the client registered); null when none. */
  jwks: JsonWebKeySet | null;
  jwksUri: string | null;
  secrets: SecretView[];
  /** ISO 8601; null for configuration-file clients, which the file does not date. */
  createdAt: string | null;
  updatedAt: string | null;
}

export interface SecretView {
  /** The handle to remove the secret by; null for configuration-file secrets. */
  id: string | null;
  description: string | null;
  /** ISO 8601; null when the secret never expires. */
  expiration: string | null;
  createdAt: string | null;
}

/** A client just created: its view, and the generated secret, shown this once. */
export interface CreatedClient {
  client: ClientView;
  /** Present only when the server generated the secret. */
  secret?: string;
}

/** A secret just added: its view, and the generated secret, shown this once. */
export interface AddedSecret extends SecretView {
  id: string;
  /** Present only when the server generated the secret. */
  secret?: string;
}

export function databaseClientView(entity: ClientEntity): ClientView {
  return {
    clientId: entity.clientId,
    source: 'database',
    enabled: entity.enabled,
    clientName: entity.clientName ?? null,
    description: entity.description ?? null,
    allowedGrantTypes: entity.allowedGrantTypes,
    allowedScopes: entity.allowedScopes,
    accessTokenLifetime: entity.accessTokenLifetime,
    claims: entity.claims,
    accessTokenType: entity.accessTokenType,
    requireDPoP: entity.requireDPoP,
    allowedResources: entity.allowedResources,
    jwks: entity.jwks,
    jwksUri: entity.jwksUri,
    secrets: [...(entity.secrets ?? [])]
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id))
      .map(databaseSecretView),
    createdAt: entity.createdAt.toISOString(),
    updatedAt: entity.updatedAt.toISOString(),
  };
}

export function databaseSecretView(entity: ClientSecretEntity): SecretView & { id: string } {
  return {
    id: entity.id,
    description: entity.description ?? null,
    expiration: entity.expiresAt?.toISOString() ?? null,
    createdAt: entity.createdAt.toISOString(),
  };
}

export function configurationClientView(client: ClientDefinition): ClientView {
  return {
    clientId: client.clientId,
    source: 'configuration',
    enabled: client.enabled,
    clientName: client.clientName ?? null,
    description: client.description ?? null,
    allowedGrantTypes: [...client.allowedGrantTypes],
    allowedScopes: [...client.allowedScopes],
    accessTokenLifetime: client.accessTokenLifetime,
    claims: client.claims.map(({ type, value }) => ({ type, value })),
    accessTokenType: client.accessTokenType,
    requireDPoP: client.requireDPoP,
    allowedResources: [...client.allowedResources],
    jwks: client.jwks ?? null,
    jwksUri: client.jwksUri ?? null,
    secrets: client.clientSecrets.map((secret) => ({
      id: null,
      description: secret.description ?? null,
      expiration: secret.expiration ? new Date(secret.expiration).toISOString() : null,
      createdAt: null,
    })),
    createdAt: null,
    updatedAt: null,
  };
}

import { Inject, Injectable, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { IDENTITY_DATA_SOURCE } from '../../persistence/identity-data-source';
import { randomBytes, randomUUID } from 'node:crypto';
import { QueryFailedError, type DataSource, type EntityManager } from 'typeorm';
import type { AccessTokenType, ValidationIssue } from '@nest-identity/shared';
import { ClientChanged, type Actor } from '../../audit/audit-events';
import { AuditTrail } from '../../audit/audit-trail';
import { ClientEntity, ClientSecretEntity } from '../../persistence/entities/client.entity';
import { StoreChanges } from '../../persistence/store-changes';
import { StoreWriter } from '../../persistence/store-writer';
import { ResourceStore } from '../resource-store';
import { identitySettings, type IdentitySettings } from '../../config/identity-settings';
import { sealClientSecret } from '../secret-encryption';
import { hashSecret } from '../secret-hash';
import { tokenLifetimeProblem } from '../token-lifetime';
import { ConfigFileClientStore } from '../stores/config-file.stores';
import {
  ClientExists,
  ClientNotFound,
  ClientReadOnly,
  InvalidClientInput,
  SecretNotFound,
} from './client-management.errors';
import {
  CreateClientInput,
  SecretInput,
  UpdateClientInput,
  type ClaimInput,
} from './client-management.dto';
import {
  configurationClientView,
  databaseClientView,
  databaseSecretView,
  type AddedSecret,
  type ClientView,
  type CreatedClient,
} from './client-views';
import { GrantTypeCatalog } from './grant-type-catalog';
import { readInput, type CheckedInput } from './validate-input';

/** 32 random bytes: 256 bits, as the issue asks of a generated secret. */
const GENERATED_SECRET_BYTES = 32;

/**
 * Creates, changes and removes the clients kept in the database; shows those of the
 * configuration file too, which stay read-only. Used by the admin API and the CLI alike.
 *
 * Every write is one transaction that also records a change (StoreChanges), then polls at once:
 * this process sees the write immediately, other processes within their polling interval. Each
 * write that succeeds is then an audit event (ClientChanged) naming its `actor`: the admin token's
 * client id, or `cli`.
 */
@Injectable()
export class ClientManagementService {
  /**
   * Writes run one at a time in this process: on SQLite every transaction shares one connection,
   * and two interleaved ones would nest instead of being isolated.
   */

  constructor(
    @InjectDataSource(IDENTITY_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly changes: StoreChanges,
    private readonly writer: StoreWriter,
    // Read on every call: a reload of the file (SIGHUP) changes its clients.
    private readonly configured: ConfigFileClientStore,
    private readonly resources: ResourceStore,
    private readonly grantTypes: GrantTypeCatalog,
    @Optional() private readonly audit?: AuditTrail,
    // For the encryption key of client_secret_jwt secrets; without it, none can be kept.
    @Optional() @Inject(identitySettings.KEY) private readonly settings?: IdentitySettings,
  ) {}

  /** Every client: the configuration file's first, in file order, then the database's by id. */
  async list(): Promise<ClientView[]> {
    const stored = await this.dataSource
      .getRepository(ClientEntity)
      .find({ relations: { secrets: true } });
    stored.sort((a, b) => (a.clientId < b.clientId ? -1 : a.clientId > b.clientId ? 1 : 0));
    return [
      ...this.configured.definitions().map(configurationClientView),
      ...stored.map(databaseClientView),
    ];
  }

  async show(clientId: string): Promise<ClientView> {
    const configured = this.configured.findDefinition(clientId);
    if (configured) return configurationClientView(configured);
    const entity = await this.load(this.dataSource.manager, clientId);
    if (!entity) throw new ClientNotFound(clientId);
    return databaseClientView(entity);
  }

  /** Creates a database client with one secret: the caller's, or a generated one returned once. */
  async create(input: unknown, actor?: Actor): Promise<CreatedClient> {
    const checked = readInput(CreateClientInput, input);
    const request = checked.value;
    if (givenBoth(checked, 'jwks', 'jwksUri')) checked.add(bothKeySources);
    if (checked.isValid('secret'))
      checked.add(...this.secretJwtIssues(request.secret, 'secret.clientSecretJwt'));
    await this.checkReferences(checked);
    checked.orThrow();
    const { clientId } = request;
    this.checkTokenLifetime(clientId, request.accessTokenLifetime, request.accessTokenType);
    if (this.configured.findDefinition(clientId)) {
      throw new ClientExists(clientId, 'configuration');
    }
    const secret = chooseSecret(request.secret);
    const now = new Date();
    const client = await this.write(async (manager) => {
      if (await manager.existsBy(ClientEntity, { clientId })) {
        throw new ClientExists(clientId, 'database');
      }
      try {
        await manager.insert(ClientEntity, {
          clientId,
          clientName: request.clientName ?? null,
          description: request.description ?? null,
          enabled: request.enabled,
          allowedGrantTypes: request.allowedGrantTypes,
          allowedScopes: request.allowedScopes,
          accessTokenLifetime: request.accessTokenLifetime,
          claims: plainClaims(request.claims),
          accessTokenType: request.accessTokenType,
          requireDPoP: request.requireDPoP,
          allowedResources: request.allowedResources,
          jwks: request.jwks ?? null,
          jwksUri: request.jwksUri ?? null,
          createdAt: now,
          updatedAt: now,
        });
      } catch (error) {
        // Another process created the same id between our check and our insert.
        if (isUniqueViolation(error)) throw new ClientExists(clientId, 'database');
        throw error;
      }
      await manager.insert(
        ClientSecretEntity,
        newSecret(clientId, secret, request.secret, now, this.settings?.keys.encryptionKey),
      );
      return databaseClientView((await this.load(manager, clientId))!);
    });
    this.audit?.record(new ClientChanged(clientId, 'created', actor));
    return secret.generated ? { client, secret: secret.value } : { client };
  }

  /** Changes the properties given; lists (scopes, grant types, claims) are replaced whole. */
  async update(clientId: string, input: unknown, actor?: Actor): Promise<ClientView> {
    const checked = readInput(UpdateClientInput, input);
    const request = checked.value;
    if (givenBoth(checked, 'jwks', 'jwksUri')) checked.add(bothKeySources);
    await this.checkReferences(checked);
    checked.orThrow();
    const client = await this.write(async (manager) => {
      const current = await this.managed(manager, clientId);
      // Only when they change: a client left over from a longer retention can still be disabled.
      if (request.accessTokenLifetime !== undefined || request.accessTokenType !== undefined)
        this.checkTokenLifetime(
          clientId,
          request.accessTokenLifetime ?? current.accessTokenLifetime,
          request.accessTokenType ?? current.accessTokenType,
        );
      const changes: Partial<ClientEntity> = { updatedAt: new Date() };
      if (request.clientName !== undefined) changes.clientName = request.clientName;
      if (request.description !== undefined) changes.description = request.description;
      if (request.enabled !== undefined) changes.enabled = request.enabled;
      if (request.allowedGrantTypes) changes.allowedGrantTypes = request.allowedGrantTypes;
      if (request.allowedScopes) changes.allowedScopes = request.allowedScopes;
      if (request.accessTokenLifetime !== undefined)
        changes.accessTokenLifetime = request.accessTokenLifetime;
      if (request.claims) changes.claims = plainClaims(request.claims);
      if (request.accessTokenType) changes.accessTokenType = request.accessTokenType;
      if (request.requireDPoP !== undefined) changes.requireDPoP = request.requireDPoP;
      if (request.allowedResources) changes.allowedResources = request.allowedResources;
      if (request.jwks !== undefined) changes.jwks = request.jwks;
      if (request.jwksUri !== undefined) changes.jwksUri = request.jwksUri;
      const jwks = 'jwks' in changes ? changes.jwks : current.jwks;
      const jwksUri = 'jwksUri' in changes ? changes.jwksUri : current.jwksUri;
      if (jwks && jwksUri) throw new InvalidClientInput([bothKeySources]);
      await manager.update(ClientEntity, { clientId }, changes);
      return databaseClientView((await this.load(manager, clientId))!);
    });
    this.audit?.record(updateEvent(clientId, request, actor));
    return client;
  }

  enable(clientId: string, actor?: Actor): Promise<ClientView> {
    return this.update(clientId, { enabled: true }, actor);
  }

  /** A disabled client keeps its secrets but gets no token until enabled again. */
  disable(clientId: string, actor?: Actor): Promise<ClientView> {
    return this.update(clientId, { enabled: false }, actor);
  }

  async delete(clientId: string, actor?: Actor): Promise<void> {
    await this.write(async (manager) => {
      await this.managed(manager, clientId);
      await manager.delete(ClientSecretEntity, { clientId });
      await manager.delete(ClientEntity, { clientId });
    });
    this.audit?.record(new ClientChanged(clientId, 'deleted', actor));
  }

  /** Adds a secret (rotation): the caller's, or a generated one returned once. */
  async addSecret(clientId: string, input: unknown = {}, actor?: Actor): Promise<AddedSecret> {
    const checked = readInput(SecretInput, input);
    const request = checked.value;
    checked.add(...this.secretJwtIssues(request, 'clientSecretJwt'));
    checked.orThrow();
    const secret = chooseSecret(request);
    const now = new Date();
    const added = await this.write(async (manager) => {
      await this.managed(manager, clientId);
      const entity = newSecret(clientId, secret, request, now, this.settings?.keys.encryptionKey);
      await manager.insert(ClientSecretEntity, entity);
      await manager.update(ClientEntity, { clientId }, { updatedAt: now });
      return databaseSecretView(entity);
    });
    this.audit?.record(new ClientChanged(clientId, 'secret_added', actor, { secretId: added.id }));
    return secret.generated ? { ...added, secret: secret.value } : added;
  }

  async removeSecret(clientId: string, secretId: string, actor?: Actor): Promise<void> {
    await this.write(async (manager) => {
      await this.managed(manager, clientId);
      if (!(await manager.existsBy(ClientSecretEntity, { id: secretId, clientId }))) {
        throw new SecretNotFound(clientId, secretId);
      }
      await manager.delete(ClientSecretEntity, { id: secretId, clientId });
      await manager.update(ClientEntity, { clientId }, { updatedAt: new Date() });
    });
    this.audit?.record(new ClientChanged(clientId, 'secret_removed', actor, { secretId }));
  }

  /**
   * The rules the DTOs cannot check alone, on the lists the DTO found valid: every scope and API
   * resource defined, every grant type supported. Adds each problem to `checked`.
   */
  private async checkReferences(
    checked: CheckedInput<{
      allowedScopes?: readonly string[];
      allowedGrantTypes?: readonly string[];
      allowedResources?: readonly string[];
    }>,
  ): Promise<void> {
    const given = (field: 'allowedScopes' | 'allowedGrantTypes' | 'allowedResources') =>
      checked.isValid(field) ? checked.value[field] : undefined;
    const allowedResources = given('allowedResources');
    if (allowedResources) {
      const defined = new Set(
        (await this.resources.getAllApiResources()).map((resource) => resource.name),
      );
      allowedResources.forEach((name, i) => {
        if (!defined.has(name))
          checked.add({
            path: `allowedResources[${i}]`,
            message: `API resource "${name}" is not defined`,
          });
      });
    }
    const allowedScopes = given('allowedScopes');
    if (allowedScopes) {
      const defined = new Set(
        (await this.resources.findApiScopesByName(allowedScopes)).map(({ name }) => name),
      );
      allowedScopes.forEach((scope, i) => {
        if (!defined.has(scope))
          checked.add({ path: `allowedScopes[${i}]`, message: `scope "${scope}" is not defined` });
      });
    }
    const allowedGrantTypes = given('allowedGrantTypes');
    if (allowedGrantTypes) {
      const supported = this.grantTypes.grantTypes();
      allowedGrantTypes.forEach((grantType, i) => {
        if (!supported.includes(grantType))
          checked.add({
            path: `allowedGrantTypes[${i}]`,
            message: `grant type "${grantType}" is not supported (supported: ${supported.join(', ')})`,
          });
      });
    }
  }

  /** A secret kept for client_secret_jwt is encrypted: there must be a key to encrypt it with. */
  private secretJwtIssues(request: SecretInput | undefined, path: string): ValidationIssue[] {
    if (request?.clientSecretJwt !== true || this.settings?.keys.encryptionKey) return [];
    return [
      {
        path,
        message:
          'needs IDENTITY_KEY_ENCRYPTION_KEY, to keep the secret encrypted (fix: set it, or leave clientSecretJwt out)',
      },
    ];
  }

  /** Tokens that would outlive their signing key are refused (see token-lifetime.ts). */
  private checkTokenLifetime(
    clientId: string,
    lifetimeSeconds: number,
    tokenType: AccessTokenType,
  ): void {
    if (!this.settings) return;
    const problem = tokenLifetimeProblem(
      clientId,
      lifetimeSeconds,
      tokenType,
      this.settings.keys.retentionTimeMs,
    );
    if (problem) throw new InvalidClientInput([{ path: 'accessTokenLifetime', message: problem }]);
  }

  /** The database client to change, or why it cannot be changed. */
  private async managed(manager: EntityManager, clientId: string): Promise<ClientEntity> {
    const entity = await this.load(manager, clientId);
    if (entity) return entity;
    if (this.configured.findDefinition(clientId)) throw new ClientReadOnly(clientId);
    throw new ClientNotFound(clientId);
  }

  private load(manager: EntityManager, clientId: string): Promise<ClientEntity | null> {
    return manager.findOne(ClientEntity, { where: { clientId }, relations: { secrets: true } });
  }

  /** One transaction that records the change, then a poll so this process sees it at once. */
  private async write<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const result = await this.writer.write(work);
    await this.changes.poll();
    return result;
  }
}

/**
 * An update that only sets `enabled` is an enabling or a disabling, the change an operator looks
 * for; any other names the properties it set (not their values).
 */
function updateEvent(clientId: string, request: UpdateClientInput, actor: Actor): ClientChanged {
  const fields = Object.entries(request)
    .filter(([, value]) => value !== undefined)
    .map(([field]) => field);
  if (fields.length === 1 && fields[0] === 'enabled') {
    return new ClientChanged(clientId, request.enabled ? 'enabled' : 'disabled', actor);
  }
  return new ClientChanged(clientId, 'updated', actor, { fields });
}

interface ChosenSecret {
  readonly value: string;
  readonly generated: boolean;
}

function chooseSecret(request: SecretInput | undefined): ChosenSecret {
  return request?.value !== undefined
    ? { value: request.value, generated: false }
    : { value: randomBytes(GENERATED_SECRET_BYTES).toString('base64url'), generated: true };
}

/**
 * The hash is stored; the secret itself only encrypted, and only when it is kept for
 * client_secret_jwt (checkSecretJwt has made sure there is a key).
 */
function newSecret(
  clientId: string,
  secret: ChosenSecret,
  request: SecretInput | undefined,
  now: Date,
  encryptionKey: Buffer | undefined,
): ClientSecretEntity {
  const id = randomUUID();
  return Object.assign(new ClientSecretEntity(), {
    id,
    clientId,
    sha256: hashSecret(secret.value),
    jwtSecret:
      request?.clientSecretJwt && encryptionKey
        ? sealClientSecret(secret.value, id, encryptionKey)
        : null,
    description: request?.description ?? null,
    expiresAt: request?.expiration ? new Date(request.expiration) : undefined,
    createdAt: now,
  });
}

function plainClaims(claims: readonly ClaimInput[]): { type: string; value: string }[] {
  return claims.map(({ type, value }) => ({ type, value }));
}

/** SQLite's and PostgreSQL's ways of saying a primary key is taken. */
function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const code = (error.driverError as { code?: unknown } | undefined)?.code;
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE'
  );
}

/** RFC 7591 §2: a client's keys are given by value (jwks) or by reference (jwksUri), not both. */
const bothKeySources: ValidationIssue = {
  path: 'jwksUri',
  message: 'a client has jwks or jwksUri, not both (fix: set the other one to null)',
};

/** Whether the input gives both fields, each valid and not null. */
function givenBoth<T extends object>(
  checked: CheckedInput<T>,
  a: keyof T & string,
  b: keyof T & string,
): boolean {
  const given = (field: keyof T & string) =>
    checked.isValid(field) && checked.value[field] !== undefined && checked.value[field] !== null;
  return given(a) && given(b);
}

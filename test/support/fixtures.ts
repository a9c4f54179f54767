import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './processes';

/** base64(SHA-256(secret)): what the configuration file holds (IdentityServer's `Sha256()`). */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('base64');
}

/** Writes `config` (an object, or raw text as is) to a fresh temporary file; returns its path. */
export function writeConfig(config: unknown, name = 'identity.json'): string {
  const path = join(tempDir('identity-config-'), name);
  writeFileSync(path, typeof config === 'string' ? config : JSON.stringify(config, null, 2));
  return path;
}

/** The seed client of `config/identity.json`. */
export const seedClient = { id: 'client', secret: 'secret' } as const;

/** The clients of richConfig, by the case each one stands for. */
export const clients = {
  /** Allowed api1 only; the workhorse. */
  standard: { id: 'client', secret: 'secret' },
  disabled: { id: 'disabled', secret: 'secret' },
  /** Two secrets: `expired` (expired in 2020) and `current` (valid until 2099). */
  rotating: { id: 'rotating', expired: 'old-secret', current: 'new-secret' },
  /** Kept, but allowed no grant type. */
  noGrant: { id: 'no-grant', secret: 'secret' },
  /** Allowed api1 and api2, held by two API resources: `aud` is an array. */
  twoResources: { id: 'two-resources', secret: 'secret' },
  /** Configured claim `tenant: acme` (twice `role`, which becomes an array). */
  withClaims: { id: 'with-claims', secret: 'secret' },
  /** accessTokenLifetime 60. */
  shortLived: { id: 'short-lived', secret: 'secret' },
  /** An id and a secret that change when form-urlencoded (RFC 6749 §2.3.1). */
  special: { id: 'svc+a%2Fb&c=d~', secret: 'p@ss:w rd+/=' },
  /** Allowed the grant but no scope at all. */
  noScope: { id: 'no-scope', secret: 'secret' },
  /** Allowed only `weather.read`, a scope of the api1 resource that is not `api1`. */
  readOnly: { id: 'read-only', secret: 'secret' },
} as const;

const clientCredentials = ['client_credentials'];
const far = '2099-01-01T00:00:00Z';

/** The rich fixture: one client per case of the contract. */
export const richConfig = {
  apiScopes: [
    { name: 'api1', displayName: 'My API' },
    { name: 'api2', displayName: 'Another API' },
    { name: 'weather.read', displayName: 'Read the weather only' },
  ],
  apiResources: [
    { name: 'api1', displayName: 'My API', scopes: ['api1', 'weather.read'] },
    { name: 'api2', displayName: 'Another API', scopes: ['api2'] },
  ],
  clients: [
    {
      clientId: clients.standard.id,
      clientSecrets: [{ value: hashSecret(clients.standard.secret) }],
      allowedGrantTypes: clientCredentials,
      allowedScopes: ['api1'],
    },
    {
      clientId: clients.disabled.id,
      enabled: false,
      clientSecrets: [{ value: hashSecret(clients.disabled.secret) }],
      allowedGrantTypes: clientCredentials,
      allowedScopes: ['api1'],
    },
    {
      clientId: clients.rotating.id,
      clientSecrets: [
        { value: hashSecret(clients.rotating.expired), expiration: '2020-01-01T00:00:00Z' },
        { value: hashSecret(clients.rotating.current), expiration: far },
      ],
      allowedGrantTypes: clientCredentials,
      allowedScopes: ['api1'],
    },
    {
      clientId: clients.noGrant.id,
      clientSecrets: [{ value: hashSecret(clients.noGrant.secret) }],
      allowedGrantTypes: [],
      allowedScopes: ['api1'],
    },
    {
      clientId: clients.twoResources.id,
      clientSecrets: [{ value: hashSecret(clients.twoResources.secret) }],
      allowedGrantTypes: clientCredentials,
      allowedScopes: ['api1', 'api2'],
    },
    {
      clientId: clients.withClaims.id,
      clientSecrets: [{ value: hashSecret(clients.withClaims.secret) }],
      allowedGrantTypes: clientCredentials,
      allowedScopes: ['api1'],
      claims: [
        { type: 'tenant', value: 'acme' },
        { type: 'role', value: 'reader' },
        { type: 'role', value: 'auditor' },
      ],
    },
    {
      clientId: clients.shortLived.id,
      clientSecrets: [{ value: hashSecret(clients.shortLived.secret) }],
      allowedGrantTypes: clientCredentials,
      allowedScopes: ['api1'],
      accessTokenLifetime: 60,
    },
    {
      clientId: clients.special.id,
      clientSecrets: [{ value: hashSecret(clients.special.secret) }],
      allowedGrantTypes: clientCredentials,
      allowedScopes: ['api1'],
    },
    {
      clientId: clients.noScope.id,
      clientSecrets: [{ value: hashSecret(clients.noScope.secret) }],
      allowedGrantTypes: clientCredentials,
      allowedScopes: [],
    },
    {
      clientId: clients.readOnly.id,
      clientSecrets: [{ value: hashSecret(clients.readOnly.secret) }],
      allowedGrantTypes: clientCredentials,
      allowedScopes: ['weather.read'],
    },
  ],
};

export function writeRichConfig(): string {
  return writeConfig(richConfig);
}

import { hashSecret } from './fixtures';
import { getJson, getToken, type Credentials } from './oauth';
import { identityCli } from './processes';
import { rememberSecrets } from './secrecy';

/** The scope of the identity's own admin API (built in: no `apiScopes` entry needed). */
export const ADMIN_SCOPE = 'identity.admin';

/** A configuration-file client allowed the admin API. */
export const adminClient: Credentials = { id: 'admin', secret: 'admin-secret' };

/** The seed-like file of the management specs: `client` (api1) and `admin` (identity.admin). */
export const managementConfig = {
  apiScopes: [{ name: 'api1', displayName: 'My API' }],
  apiResources: [{ name: 'api1', displayName: 'My API', scopes: ['api1'] }],
  clients: [
    {
      clientId: 'client',
      clientSecrets: [{ value: hashSecret('secret') }],
      allowedGrantTypes: ['client_credentials'],
      allowedScopes: ['api1'],
    },
    {
      clientId: adminClient.id,
      clientSecrets: [{ value: hashSecret(adminClient.secret) }],
      allowedGrantTypes: ['client_credentials'],
      allowedScopes: [ADMIN_SCOPE],
    },
  ],
};

/** What a store-facing CLI run needs: where the database is and which file it must agree with. */
export interface StoreEnvironment {
  IDENTITY_CONFIG: string;
  IDENTITY_DATA_DIR: string;
  DATABASE_URL?: string;
}

// --- the admin REST API --------------------------------------------------------------------

export async function adminToken(identityUrl: string): Promise<string> {
  return getToken(identityUrl, adminClient, { scope: ADMIN_SCOPE });
}

/** One admin API call; the response is returned whatever its status. */
export function adminRequest(
  identityUrl: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
  signal?: AbortSignal,
) {
  return getJson(`${identityUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
  });
}

/** POST /admin/clients: a client_credentials client allowed `scopes`, with a supplied secret. */
export function createClientRequest(clientId: string, secret: string, scopes = ['api1']) {
  rememberSecrets(secret);
  return {
    clientId,
    allowedGrantTypes: ['client_credentials'],
    allowedScopes: scopes,
    secret: { value: secret },
  };
}

/** Creates a client through the admin API; fails unless the API answers 2xx. */
export async function createClientViaAdmin(
  identityUrl: string,
  token: string,
  clientId: string,
  secret: string,
): Promise<Credentials> {
  const response = await adminRequest(
    identityUrl,
    token,
    'POST',
    '/admin/clients',
    createClientRequest(clientId, secret),
  );
  if (response.status !== 201) {
    throw new Error(`POST /admin/clients ${clientId}: ${response.status} ${response.text}`);
  }
  return { id: clientId, secret };
}

/** Disables (or enables) a database client through the admin API: PATCH {enabled}. */
export async function setEnabledViaAdmin(
  identityUrl: string,
  token: string,
  clientId: string,
  enabled: boolean,
): Promise<void> {
  const response = await adminRequest(
    identityUrl,
    token,
    'PATCH',
    `/admin/clients/${encodeURIComponent(clientId)}`,
    { enabled },
  );
  if (response.status !== 200) {
    throw new Error(`PATCH ${clientId} enabled=${enabled}: ${response.status} ${response.text}`);
  }
}

// --- the CLI (`npm run identity -- …`) -----------------------------------------------------

/** `identity clients create <id> --grant client_credentials --scope api1 --secret <secret>`. */
export async function createClientViaCli(
  env: StoreEnvironment,
  clientId: string,
  secret: string,
): Promise<Credentials> {
  await identityCli(
    [
      'clients',
      'create',
      clientId,
      '--grant',
      'client_credentials',
      '--scope',
      'api1',
      '--secret',
      secret,
    ],
    { ...env },
  );
  return { id: clientId, secret };
}

/** `identity keys rotate`: a new signing key, as soon as the rotation settings allow. */
export async function rotateKeysViaCli(env: StoreEnvironment): Promise<string> {
  return identityCli(['keys', 'rotate'], { ...env });
}

import type { Client } from './client';

/** A configuration-file client with every default, for unit specs; override what the spec is about. */
export function aClient(overrides: Partial<Client> = {}): Client {
  return {
    clientId: 'client',
    source: 'configuration',
    enabled: true,
    secrets: [],
    allowedGrantTypes: ['client_credentials'],
    allowedScopes: ['api1'],
    accessTokenLifetime: 3600,
    claims: [],
    accessTokenType: 'jwt',
    requireDPoP: false,
    allowedResources: [],
    ...overrides,
  };
}

import { hashSecret } from '../clients/secret-hash';

/** The admin API specs' operator client (identity.admin) and an api1 client. */
export const adminClient = { id: 'admin', secret: 'admin-secret' };
export const readerClient = { id: 'reader', secret: 'reader-secret' };

/** A configuration file with api1, the admin client and, given `withReader`, the api1 client. */
export function adminApiConfig({ withReader = false } = {}) {
  const client = (id: string, secret: string, scope: string) => ({
    clientId: id,
    clientSecrets: [{ value: hashSecret(secret) }],
    allowedGrantTypes: ['client_credentials'],
    allowedScopes: [scope],
  });
  return {
    apiScopes: [{ name: 'api1' }],
    apiResources: [{ name: 'api1', scopes: ['api1'] }],
    clients: [
      client(adminClient.id, adminClient.secret, 'identity.admin'),
      ...(withReader ? [client(readerClient.id, readerClient.secret, 'api1')] : []),
    ],
  };
}

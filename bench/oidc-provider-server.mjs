// node-oidc-provider 9 as a client-credentials authority, configured like the identity's seed:
// client `client` / `secret` (client_secret_post), scope api1, RS256 JWT access tokens with
// aud api1. A plain `scope=api1` request gets a JWT through the default resource indicator.
// Used by bench/run.mjs only. Env: PORT (required), ISSUER (default http://127.0.0.1:$PORT).
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
if (!Number.isInteger(port) || port <= 0) throw new Error('PORT is required');
const issuer = process.env.ISSUER ?? `http://127.0.0.1:${port}`;

/** A URI standing for the api1 resource server (resource indicators must be absolute URIs). */
const API1 = 'urn:bench:api1';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), alg: 'RS256', use: 'sig', kid: 'k1' };

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'client',
      client_secret: 'secret',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_post',
      scope: 'api1',
    },
  ],
  jwks: { keys: [signingKey] },
  scopes: ['api1'],
  cookies: { keys: ['bench-only-cookie-key'] },
  ttl: { ClientCredentials: 3600 },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => API1,
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx, resource) => {
        if (resource !== API1) throw new Provider.errors.InvalidTarget();
        return {
          scope: 'api1',
          audience: 'api1',
          accessTokenTTL: 3600,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        };
      },
    },
  },
});

provider.listen(port, '0.0.0.0', () => {
  console.log(`oidc-provider listening on ${port}, issuer ${issuer}`);
});

for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));

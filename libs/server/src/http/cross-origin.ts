import type { FastifyInstance } from 'fastify';
import { OAuthPaths } from '@nest-identity/shared';

/**
 * What a browser page of another origin (Swagger UI on an API) may call: the token endpoint, and
 * discovery and the JWKS to read. Nothing else, the admin API above all, answers cross-origin.
 */
const CrossOriginRoutes: Readonly<Record<string, string>> = {
  [OAuthPaths.Token]: 'POST',
  [OAuthPaths.OpenIdConfiguration]: 'GET',
  [OAuthPaths.AuthorizationServerMetadata]: 'GET',
  [OAuthPaths.Jwks]: 'GET',
};

/**
 * The request headers a caller may send; Swagger UI adds X-Requested-With to its token requests,
 * a DPoP client its proof (RFC 9449).
 */
const ALLOWED_HEADERS = 'Authorization, Content-Type, X-Requested-With, DPoP';

/** Response headers a page may read: the token endpoint's DPoP server nonce (RFC 9449 §8). */
const EXPOSED_HEADERS: Readonly<Record<string, string>> = { [OAuthPaths.Token]: 'DPoP-Nonce' };

/** How long a browser may reuse a preflight's answer. */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/**
 * CORS for the routes above, for the exact origins listed (CORS_ORIGINS); none listed, no CORS
 * header at all. Answered in Fastify's first hook and its own OPTIONS routes, before any Nest
 * guard, so a preflight is never throttled and never asked for client authentication. No
 * credentials mode: the token endpoint takes its client credentials in a header or the body,
 * never from cookies.
 */
export function allowCrossOriginCalls(fastify: FastifyInstance, origins: readonly string[]): void {
  if (origins.length === 0) return;
  const allowed = new Set(origins);
  fastify.addHook('onRequest', (request, reply, done) => {
    const path = request.url.split('?')[0];
    const methods = CrossOriginRoutes[path];
    if (methods !== undefined) {
      // The answer depends on the Origin: a shared cache must not hand one origin's to another.
      void reply.header('vary', 'Origin');
      const origin = request.headers.origin;
      if (origin !== undefined && allowed.has(origin)) {
        void reply.header('access-control-allow-origin', origin);
        const exposed = EXPOSED_HEADERS[path];
        if (exposed !== undefined) void reply.header('access-control-expose-headers', exposed);
      }
    }
    done();
  });
  for (const [path, methods] of Object.entries(CrossOriginRoutes)) {
    fastify.options(path, (_request, reply) => {
      if (reply.hasHeader('access-control-allow-origin')) {
        void reply
          .header('access-control-allow-methods', methods)
          .header('access-control-allow-headers', ALLOWED_HEADERS)
          .header('access-control-max-age', String(PREFLIGHT_MAX_AGE_SECONDS));
      }
      void reply.code(204).send();
    });
  }
}

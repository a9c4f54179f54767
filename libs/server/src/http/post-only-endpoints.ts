import type { FastifyInstance } from 'fastify';
import { OAuthPaths } from '@nest-identity/shared';

/** The endpoints that take only POST (RFC 6749 §3.2, RFC 7662 §2.1, RFC 7009 §2.1). */
const PostOnlyPaths = [OAuthPaths.Token, OAuthPaths.Introspection, OAuthPaths.Revocation];

/** Every other method a client might try; OPTIONS too unless CORS answers it (preflights). */
const OTHER_METHODS = ['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * Another method on a POST-only endpoint is 405 with `Allow: POST` (RFC 9110 §15.5.6), not the
 * 404 of an unknown path: the resource exists. The body is an OAuth error, as at the endpoint.
 * With CORS on, OPTIONS stays the preflight's (`allowCrossOriginCalls`).
 */
export function refuseOtherMethods(fastify: FastifyInstance, corsAnswersOptions: boolean): void {
  const methods = corsAnswersOptions ? [...OTHER_METHODS] : [...OTHER_METHODS, 'OPTIONS'];
  for (const url of PostOnlyPaths) {
    fastify.route({
      method: methods,
      url,
      handler: (request, reply) => {
        void reply.code(405).header('allow', 'POST').header('cache-control', 'no-store');
        if (request.method === 'HEAD') return reply.send();
        return reply.type('application/json').send({
          error: 'invalid_request',
          error_description: `${url} accepts only POST`,
        });
      },
    });
  }
}

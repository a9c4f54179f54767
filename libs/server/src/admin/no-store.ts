import type { FastifyReply } from 'fastify';

/** Every admin answer, errors included: it may hold a secret shown only once. */
export function noStore(reply: FastifyReply): FastifyReply {
  return reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
}

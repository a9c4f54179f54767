import type { HttpServer } from '@nestjs/common';

/**
 * The one method Express's response (`res.header`) and Fastify's reply (`reply.header`) share
 * for setting a header: what a controller given `@Res({ passthrough: true })` writes through.
 */
export interface HeaderWriter {
  header(name: string, value: string): unknown;
}

/**
 * An answer no cache may keep: a token response (RFC 6749 §5.1), an introspection answer
 * (RFC 7662 §4), any OAuth error, any admin answer (it may hold a secret shown once).
 */
export const NoStoreHeaders: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  pragma: 'no-cache',
};

/** Sets NoStoreHeaders on a controller's response; returns it, for more headers. */
export function noStore<T extends HeaderWriter>(response: T): T {
  for (const [name, value] of Object.entries(NoStoreHeaders)) response.header(name, value);
  return response;
}

/** Sets `headers` on `response` through the host's HTTP adapter (Express or Fastify). */
export function setHeaders(
  adapter: HttpServer,
  response: unknown,
  headers: Readonly<Record<string, string>>,
): void {
  for (const [name, value] of Object.entries(headers)) adapter.setHeader(response, name, value);
}

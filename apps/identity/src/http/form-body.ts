import type { FastifyInstance } from 'fastify';
import { FormUrlEncoded } from '@app/shared';

/** Token requests are small; anything bigger is refused with 413 before it is read. */
export const REQUEST_BODY_LIMIT = 16 * 1024;

/**
 * An `application/x-www-form-urlencoded` body, keeping every value of a repeated parameter so
 * the endpoint can refuse repetition (RFC 6749 §3.2) instead of silently picking one.
 */
export class FormBody {
  private constructor(private readonly values: ReadonlyMap<string, readonly string[]>) {}

  static parse(text: string): FormBody {
    const values = new Map<string, string[]>();
    for (const [name, value] of new URLSearchParams(text)) {
      const existing = values.get(name);
      if (existing) existing.push(value);
      else values.set(name, [value]);
    }
    return new FormBody(values);
  }

  /** All values given for `name` (empty when absent). */
  all(name: string): readonly string[] {
    return this.values.get(name) ?? [];
  }

  names(): IterableIterator<string> {
    return this.values.keys();
  }
}

/**
 * The identity reads form bodies only. Fastify's own parsers (JSON, text) are removed, and any
 * other media type is read as raw bytes, so the endpoint answers it with `invalid_request`
 * (as the OAuth error table asks) instead of Fastify's 415.
 */
export function registerBodyParsers(fastify: FastifyInstance): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(
    FormUrlEncoded,
    { parseAs: 'string', bodyLimit: REQUEST_BODY_LIMIT },
    (_request, body, done) => done(null, FormBody.parse(body as string)),
  );
  fastify.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit: REQUEST_BODY_LIMIT },
    (_request, body, done) => done(null, body),
  );
}

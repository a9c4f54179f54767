import type { FastifyInstance } from 'fastify';
import { FormUrlEncoded } from '@nest-identity/shared';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-depth';

/** Token requests are small; anything bigger is refused with 413 before it is read. */
export const REQUEST_BODY_LIMIT = 16 * 1024;

/**
 * An `application/x-www-form-urlencoded` body, keeping every value of a repeated parameter so
 * the endpoint can refuse repetition (RFC 6749 §3.2) instead of silently picking one.
 */
export class FormBody {
  private constructor(private readonly values: ReadonlyMap<string, readonly string[]>) {}

  static parse(text: string): FormBody {
    return FormBody.of(new URLSearchParams(text));
  }

  /** The parameters in the order given, a repeated name keeping every value. */
  static of(parameters: Iterable<readonly [string, string]>): FormBody {
    const values = new Map<string, string[]>();
    for (const [name, value] of parameters) {
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

  /** How many distinct parameter names the body holds. */
  get size(): number {
    return this.values.size;
  }
}

/**
 * A JSON body that could not be parsed (malformed, empty, or carrying `__proto__` /
 * `constructor.prototype`). The parser hands it on instead of failing, so each endpoint answers
 * in its own error format: the token endpoint `invalid_request`, the admin API a problem document.
 */
export class UnparsableJson {
  constructor(readonly reason: string) {}
}

/** A JSON body nested deeper than MAX_JSON_DEPTH: refused unparsed, like UnparsableJson. */
export class JsonTooDeep {
  readonly maxDepth = MAX_JSON_DEPTH;
}

/**
 * The identity reads form bodies (the token endpoint) and JSON bodies (the admin API). Fastify's
 * own parsers are replaced: JSON is parsed by Fastify's default parser with prototype-poisoning
 * protection, but a failure becomes an UnparsableJson body rather than Fastify's error (and a
 * body nested too deep a JsonTooDeep one, never parsed), and any
 * other media type is read as raw bytes, so each endpoint refuses what it does not take in its
 * own format (the token endpoint with `invalid_request`, as the OAuth error table asks) instead
 * of Fastify's 400 or 415.
 */
export function registerBodyParsers(fastify: FastifyInstance): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  // Read as bytes, decoded here: with `parseAs: 'string'` Fastify compares the decoded length
  // with Content-Length, so a body that is not UTF-8 failed with Fastify's own 400.
  fastify.addContentTypeParser(
    FormUrlEncoded,
    { parseAs: 'buffer', bodyLimit: REQUEST_BODY_LIMIT },
    (_request, body, done) => done(null, FormBody.parse((body as Buffer).toString('utf8'))),
  );
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit: REQUEST_BODY_LIMIT },
    (request, body, done) => {
      const text = (body as Buffer).toString('utf8');
      if (nestsDeeperThan(text, MAX_JSON_DEPTH)) return done(null, new JsonTooDeep());
      void parseJson(request, text, (error: Error | null, value?: unknown) =>
        done(null, error ? new UnparsableJson(error.message) : value),
      );
    },
  );
  fastify.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit: REQUEST_BODY_LIMIT },
    (_request, body, done) => done(null, body),
  );
}

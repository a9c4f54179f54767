import type { IncomingHttpHeaders } from 'node:http';
import { FormUrlEncoded, InvalidRequest } from '@nest-identity/shared';
import { FormBody } from './form-body';
import { assertWithinLimits, describeParameter } from './oauth-form-limits';

/**
 * Parameters that may repeat: RFC 8707 §2 lets `resource` name several resources. Every other
 * parameter may appear once (RFC 6749 §3.2).
 */
const REPEATABLE_PARAMETERS: ReadonlySet<string> = new Set(['resource']);

/**
 * What OAuthForm reads of an HTTP request: Fastify's and Express's requests both have it. `ip`
 * is the caller's address as the host's proxy setting lets its adapter read it.
 */
export interface OAuthHttpRequest {
  readonly headers: IncomingHttpHeaders;
  readonly body?: unknown;
  readonly ip?: string;
}

/**
 * The form parameters of a request body, whoever parsed it: the identity's own parser gives a
 * FormBody; a host app that mounts the authority parses forms itself, into an object in which a
 * parameter sent once is a string and a repeated one an array of strings (Express's
 * body-parser with `qs`, Nest's default parser on Fastify), so repetition is still seen and
 * refused (RFC 6749 §3.2). Anything else a host's parser makes of a name with brackets
 * (`a[b]=c` becomes an object with `qs`) is refused as malformed, naming the parameter but never
 * its value: a form with such a name is no OAuth request, and reading it as if the bracketed
 * name had not been sent could drop a parameter the client meant. Undefined for a body that is no
 * form at all (bytes, text, nothing).
 */
export function readFormBody(body: unknown): FormBody | undefined {
  if (body instanceof FormBody) return body;
  // Bytes (the identity's parser of other media types) and arrays are no parsed form.
  if (typeof body !== 'object' || body === null || ArrayBuffer.isView(body) || Array.isArray(body))
    return undefined;
  const parameters: [string, string][] = [];
  for (const [name, value] of Object.entries(body)) {
    const values: unknown[] = Array.isArray(value) ? value : [value];
    for (const one of values) {
      if (typeof one !== 'string')
        throw new InvalidRequest(`${describeParameter(name)} is malformed`);
      parameters.push([name, one]);
    }
  }
  return FormBody.of(parameters);
}

/**
 * The form of a well-formed request to an OAuth endpoint (token, introspection, revocation): a
 * form body (RFC 6749 §4.4.2, Appendix B; RFC 7662 §2.1; RFC 7009 §2.1) within OAuthFormLimits,
 * in which no parameter repeats (§3.2) but `resource`. Parameters sent without a value count as
 * omitted (§3.1). It lives in http/, owned by no endpoint, so every endpoint and the throttle
 * read a request the same way.
 */
export class OAuthForm {
  private constructor(
    private readonly form: FormBody,
    readonly authorization: string | undefined,
    /** The caller's address (as IDENTITY_TRUST_PROXY, or the host's proxy setting, lets the adapter read it), for the audit trail. */
    readonly address: string,
    /** The HTTP request it was read from: what recordChallenge keys on. */
    readonly http: object,
  ) {}

  /** Parsed once per HTTP request: the throttle reads the client id before the endpoint runs. */
  private static readonly parsed = new WeakMap<OAuthHttpRequest, OAuthForm>();

  static from(request: OAuthHttpRequest): OAuthForm {
    let parsed = OAuthForm.parsed.get(request);
    if (parsed === undefined) {
      parsed = OAuthForm.parse(request);
      OAuthForm.parsed.set(request, parsed);
    }
    return parsed;
  }

  private static parse(request: OAuthHttpRequest): OAuthForm {
    const mediaType = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
    const body = mediaType === FormUrlEncoded ? readFormBody(request.body) : undefined;
    if (body === undefined) {
      throw new InvalidRequest(`the request body must be ${FormUrlEncoded}`);
    }
    assertWithinLimits(body);
    for (const name of body.names()) {
      if (body.all(name).length > 1 && !REPEATABLE_PARAMETERS.has(name)) {
        throw new InvalidRequest(`${describeParameter(name)} is repeated`);
      }
    }
    return new OAuthForm(body, request.headers.authorization, request.ip ?? 'unknown', request);
  }

  /** The parameter's value, or undefined when it is absent or empty. */
  param(name: string): string | undefined {
    return this.form.all(name)[0] || undefined;
  }

  /** Every non-empty value of a repeatable parameter, in the order sent. */
  params(name: string): string[] {
    return this.form.all(name).filter((value) => value !== '');
  }
}

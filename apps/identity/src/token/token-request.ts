import type { FastifyRequest } from 'fastify';
import { FormUrlEncoded, InvalidRequest } from '@app/shared';
import { FormBody } from '../http/form-body';
import { assertWithinLimits, describeParameter } from './token-parameter-limits';

/**
 * Parameters that may repeat: RFC 8707 §2 lets `resource` name several resources. Every other
 * parameter may appear once (RFC 6749 §3.2).
 */
const REPEATABLE_PARAMETERS: ReadonlySet<string> = new Set(['resource']);

/**
 * A well-formed token request: a form body (RFC 6749 §4.4.2, Appendix B) within
 * TokenRequestLimits, in which no parameter repeats (§3.2) but `resource`. Parameters sent
 * without a value count as omitted (§3.1).
 */
export class TokenRequest {
  private constructor(
    private readonly form: FormBody,
    readonly authorization: string | undefined,
    /** The caller's address (as IDENTITY_TRUST_PROXY lets Fastify read it), for the audit trail. */
    readonly address: string,
    /** The HTTP request it was read from: what recordChallenge keys on. */
    readonly http: object,
  ) {}

  /** Parsed once per HTTP request: the throttle reads the client id before the endpoint runs. */
  private static readonly parsed = new WeakMap<FastifyRequest, TokenRequest>();

  static from(request: FastifyRequest): TokenRequest {
    let parsed = TokenRequest.parsed.get(request);
    if (parsed === undefined) {
      parsed = TokenRequest.parse(request);
      TokenRequest.parsed.set(request, parsed);
    }
    return parsed;
  }

  private static parse(request: FastifyRequest): TokenRequest {
    const mediaType = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
    if (mediaType !== FormUrlEncoded || !(request.body instanceof FormBody)) {
      throw new InvalidRequest(`the request body must be ${FormUrlEncoded}`);
    }
    assertWithinLimits(request.body);
    for (const name of request.body.names()) {
      if (request.body.all(name).length > 1 && !REPEATABLE_PARAMETERS.has(name)) {
        throw new InvalidRequest(`${describeParameter(name)} is repeated`);
      }
    }
    return new TokenRequest(
      request.body,
      request.headers.authorization,
      request.ip ?? 'unknown',
      request,
    );
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

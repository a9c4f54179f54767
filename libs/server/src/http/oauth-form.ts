import type { FastifyRequest } from 'fastify';
import { FormUrlEncoded, InvalidRequest } from '@nest-identity/shared';
import { FormBody } from './form-body';
import { assertWithinLimits, describeParameter } from './oauth-form-limits';

/**
 * Parameters that may repeat: RFC 8707 §2 lets `resource` name several resources. Every other
 * parameter may appear once (RFC 6749 §3.2).
 */
const REPEATABLE_PARAMETERS: ReadonlySet<string> = new Set(['resource']);

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
    /** The caller's address (as IDENTITY_TRUST_PROXY lets Fastify read it), for the audit trail. */
    readonly address: string,
    /** The HTTP request it was read from: what recordChallenge keys on. */
    readonly http: object,
  ) {}

  /** Parsed once per HTTP request: the throttle reads the client id before the endpoint runs. */
  private static readonly parsed = new WeakMap<FastifyRequest, OAuthForm>();

  static from(request: FastifyRequest): OAuthForm {
    let parsed = OAuthForm.parsed.get(request);
    if (parsed === undefined) {
      parsed = OAuthForm.parse(request);
      OAuthForm.parsed.set(request, parsed);
    }
    return parsed;
  }

  private static parse(request: FastifyRequest): OAuthForm {
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
    return new OAuthForm(
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

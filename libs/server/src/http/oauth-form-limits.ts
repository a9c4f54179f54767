import { ClientIdMaxLength, InvalidRequest } from '@nest-identity/shared';
import type { FormBody } from './form-body';

/**
 * How much a request to an OAuth endpoint (token, introspection, revocation) may carry. Lengths are in characters, after form decoding. They are
 * generous for honest clients (an id as long as the admin API accepts, a secret as long as it
 * stores, a JWT assertion with a certificate chain) and keep every later step's work small.
 */
export const OAuthFormLimits = {
  /** Distinct parameter names in one body (RFC 6749 §4.4.2 needs at most five). */
  maxParameters: 20,
  /** A parameter name; no name the endpoint reads is longer than 21. */
  maxNameLength: 64,
  /** The value of each named parameter. */
  maxLengths: {
    grant_type: 256,
    client_id: ClientIdMaxLength,
    client_secret: 512,
    scope: 2000,
    client_assertion: 8192,
    client_assertion_type: 256,
    assertion: 8192,
    resource: 2048,
    // Introspection and revocation (RFC 7662, RFC 7009): a JWT access token, or a handle.
    token: 8192,
    token_type_hint: 64,
  },
  /** Values of `resource`, the one parameter that may repeat (RFC 8707 §2). */
  maxResourceIndicators: 10,
  /** The value of any other (extension) parameter. */
  maxOtherLength: 1024,
  /** The base64 text of `Authorization: Basic`: room for the longest id and secret, %-encoded. */
  maxBasicCredentialsLength: 4096,
} as const;

/** C0 controls and DEL: no OAuth parameter syntax allows them (RFC 6749 Appendix A). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTER = /[\x00-\x1f\x7f]/;

/** A parameter name shown in an error only when it is plainly a name, never arbitrary text. */
export function describeParameter(name: string): string {
  return /^[\w.-]{1,64}$/.test(name) ? `the parameter ${name}` : 'a parameter';
}

/**
 * Refuses a form that breaks the limits above with `invalid_request`. The description names the
 * parameter and the bound, never the value: a value may be a secret sent by mistake.
 */
export function assertWithinLimits(form: FormBody): void {
  if (form.size > OAuthFormLimits.maxParameters) {
    throw new InvalidRequest(
      `the request has more than ${OAuthFormLimits.maxParameters} parameters`,
    );
  }
  for (const name of form.names()) {
    if (name.length > OAuthFormLimits.maxNameLength) {
      throw new InvalidRequest(
        `a parameter name is longer than ${OAuthFormLimits.maxNameLength} characters`,
      );
    }
    const known = isNamedParameter(name);
    const maxLength = known ? OAuthFormLimits.maxLengths[name] : OAuthFormLimits.maxOtherLength;
    if (name === 'resource' && form.all(name).length > OAuthFormLimits.maxResourceIndicators) {
      throw new InvalidRequest(
        `the parameter resource is repeated more than ${OAuthFormLimits.maxResourceIndicators} times`,
      );
    }
    for (const value of form.all(name)) {
      assertBoundedValue(describeParameter(name), value, maxLength);
      // Only the parameters the endpoint reads: an ignored extension parameter may hold anything.
      if (known) assertNoControlCharacter(describeParameter(name), value);
    }
  }
}

type NamedParameter = keyof typeof OAuthFormLimits.maxLengths;

/** Own keys only: a parameter named `__proto__` or `constructor` is just another name. */
function isNamedParameter(name: string): name is NamedParameter {
  return Object.hasOwn(OAuthFormLimits.maxLengths, name);
}

/** `what` ("the parameter scope") is at most `maxLength` characters long. */
export function assertBoundedValue(what: string, value: string, maxLength: number): void {
  if (value.length > maxLength) {
    throw new InvalidRequest(`${what} is longer than ${maxLength} characters`);
  }
}

/**
 * Refuses control characters, NUL above all: some databases (PostgreSQL) reject a NUL in a text
 * parameter, which would turn a client's bad input into a server error.
 */
export function assertNoControlCharacter(what: string, value: string): void {
  if (CONTROL_CHARACTER.test(value)) {
    throw new InvalidRequest(`${what} contains a control character`);
  }
}

import { ValidateBy, type ValidationOptions } from 'class-validator';

/**
 * The client id grammar, the one rule the configuration file, the admin API and the CLI check:
 * RFC 6749 Appendix A.1 makes a client id any VSCHAR (%x20-7E) string, so `urn:acme:billing`,
 * `m2m:client%1`, SPIFFE IDs and ids with a space are valid (Basic form-encodes them, §2.3.1).
 * Control characters and anything outside ASCII are refused; so is the empty id, which no
 * request could present, and an id longer than the token endpoint reads.
 */
export const ClientIdMaxLength = 200;

/** VSCHAR = %x20-7E (RFC 6749 Appendix A). */
export const ClientIdPattern = /^[\x20-\x7E]+$/;

export const ClientIdRule = `1 to ${ClientIdMaxLength} printable ASCII characters (RFC 6749 VSCHAR: space to "~"), no control or non-ASCII character`;

/** Why `value` is not a client id, or undefined when it is one. */
export function clientIdProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length === 0 || value.length > ClientIdMaxLength || !ClientIdPattern.test(value))
    return `must be ${ClientIdRule}`;
  return undefined;
}

export function isClientId(value: unknown): value is string {
  return clientIdProblem(value) === undefined;
}

/** class-validator decorator for a client id field. */
export function IsClientId(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isClientId',
      validator: {
        validate: (value: unknown) => isClientId(value),
        defaultMessage: (args) => clientIdProblem(args?.value) ?? `must be ${ClientIdRule}`,
      },
    },
    options,
  );
}

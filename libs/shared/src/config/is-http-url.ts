import { ValidateBy, type ValidationOptions } from 'class-validator';

/** An absolute http(s) URL without query or fragment, as an issuer identifier must be (RFC 8414 §2). */
export function IsHttpUrl(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isHttpUrl',
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string') return false;
          try {
            const url = new URL(value);
            return (
              (url.protocol === 'http:' || url.protocol === 'https:') && !url.search && !url.hash
            );
          } catch {
            return false;
          }
        },
        defaultMessage: () => 'must be an absolute http(s) URL without query or fragment',
      },
    },
    options,
  );
}

/** How a token fared: verified in full now, refused, or admitted from VerifiedTokenCache. */
export type TokenValidationOutcome = 'valid' | 'invalid' | 'cached';

/** How a fetch of the authority's metadata and key set ended. */
export type JwksFetchOutcome = 'success' | 'failure';

/**
 * What the module reports for metrics, without depending on a metrics library: provide a
 * subclass globally (a `@Global()` module exporting `JwtBearerMetrics`) and the guard and key
 * resolver call it; without one they call `JwtBearerMetrics.none`. Calls are synchronous and on
 * the request path: an implementation increments a counter and returns.
 */
export abstract class JwtBearerMetrics {
  /** Once per request that presented a bearer token. */
  abstract tokenValidated(outcome: TokenValidationOutcome): void;
  abstract jwksFetched(outcome: JwksFetchOutcome): void;

  static readonly none: JwtBearerMetrics = {
    tokenValidated: () => undefined,
    jwksFetched: () => undefined,
  };
}

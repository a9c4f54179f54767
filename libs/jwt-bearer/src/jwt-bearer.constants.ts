/** The passport strategy name, so it never clashes with an app's own `jwt` strategy. */
export const JWT_BEARER_STRATEGY = 'jwt-bearer';

/** Route metadata: the route needs no token. */
export const IS_PUBLIC = 'jwt-bearer:is-public';

/** Route metadata: the scopes a token must hold. */
export const REQUIRED_SCOPES = 'jwt-bearer:required-scopes';

/**
 * The requests authenticated with the DPoP scheme, with the proof algorithms to put in a later
 * challenge: ScopesGuard answers their insufficient_scope with a DPoP challenge (RFC 9449 §7.1).
 * A WeakMap, so nothing is added to the request object and nothing outlives it.
 */
const dpopRequests = new WeakMap<object, string>();

export function markDPoPAuthenticated(request: object, algs: string): void {
  dpopRequests.set(request, algs);
}

/** The `algs` of the DPoP challenge, when the request was authenticated with DPoP. */
export function dpopAlgsOf(request: object): string | undefined {
  return dpopRequests.get(request);
}

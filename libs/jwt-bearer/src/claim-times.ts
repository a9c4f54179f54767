/** The time claims of RFC 7519 §4.1.4-6, each a NumericDate when present. */
const TIME_CLAIMS = ['exp', 'nbf', 'iat'] as const;

/**
 * What is wrong with a verified token's times that jsonwebtoken does not check, as a description
 * safe to show (it names the claim, never its value); undefined when nothing is. jsonwebtoken
 * checks `exp` and `nbf` against the clock; here: each time claim is a finite number (a JSON
 * `1e999` parses as Infinity, a token that would never expire), `exp` is present (RFC 9068 §2.2),
 * and `iat` is not in the future beyond the clock skew: a token issued tomorrow was not issued
 * by an authority whose clock we trust.
 */
export function claimTimesProblem(
  payload: Record<string, unknown>,
  clockSkewSeconds: number,
  nowSeconds: number,
): string | undefined {
  for (const claim of TIME_CLAIMS) {
    const value = payload[claim];
    if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value)))
      return `the token's ${claim} is not a NumericDate`;
  }
  if (payload.exp === undefined) return 'the token has no exp';
  if (typeof payload.iat === 'number' && payload.iat > nowSeconds + clockSkewSeconds)
    return 'the token was issued in the future';
  return undefined;
}

import { ClientSigningAlgorithms, type DPoPProofRules } from '@nest-identity/shared';

/**
 * The JWS algorithms a DPoP proof may use (RFC 9449 §4.3: asymmetric only, never `none` or a
 * MAC). The discovery document lists exactly these.
 */
export const DPoPSigningAlgorithms: readonly string[] = ClientSigningAlgorithms;

/**
 * What the identity accepts of a proof, read by @nest-identity/shared's readDPoPProof like at the API.
 * `iat` may be 60 s off either way (RFC 9449 §11.1 leaves it to the server): wide enough for
 * clock drift, short enough that the replay cache holds each `jti` only briefly; server nonces
 * (§8) bound a proof's life further. 8 KiB is far more than a proof needs (a header with an
 * RSA 4096 JWK and the claims is about 1.5 KiB).
 */
export const IdentityDPoPProofRules: DPoPProofRules = {
  algorithms: DPoPSigningAlgorithms,
  maxLength: 8192,
  maxAgeSeconds: 60,
  maxFutureSeconds: 60,
};

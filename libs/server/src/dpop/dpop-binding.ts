/** RFC 9449 §6: the key of a valid DPoP proof, which the token must be bound to. */
export interface DPoPBinding {
  /** The proof key's JWK SHA-256 thumbprint (RFC 7638), for the token's `cnf.jkt`. */
  readonly jkt: string;
}

/**
 * Remembers one-time values until they expire: a client assertion's `jti` (RFC 7523 §3) or a
 * DPoP proof's `jti` (RFC 9449 §11.1). Keys are namespaced by the caller
 * (`client-assertion:<client>:<jti>`). Replicas that share a store share what they remember, so
 * a value replayed to another replica is still refused.
 */
export abstract class ReplayCache {
  /**
   * True the first time `key` is presented before `expiresAt` (epoch ms), false for a replay.
   * Atomic: of two concurrent calls with the same key, exactly one gets true. Throws when the
   * store cannot answer (the caller refuses the request: a replay check never fails open).
   */
  abstract firstUse(key: string, expiresAt: number): Promise<boolean>;
}

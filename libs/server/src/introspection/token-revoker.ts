import { Injectable } from '@nestjs/common';
import { looksLikeReferenceHandle } from '../reference-tokens/reference-handle';
import { ReferenceTokenStore } from '../reference-tokens/reference-token.store';
import { RevokedTokenStore } from '../reference-tokens/revoked-token.store';
import { TokenInspector } from './token-inspector';

/**
 * RFC 7009 §2.1: revokes a token for the client it was issued to. A reference token's row is
 * deleted; a JWT's `jti` goes on the deny-list until its `exp`. Anything else (unknown, expired,
 * malformed, another client's) is left alone, and the caller is not told (§2.2).
 */
@Injectable()
export class TokenRevoker {
  constructor(
    private readonly referenceTokens: ReferenceTokenStore,
    private readonly revokedTokens: RevokedTokenStore,
    private readonly inspector: TokenInspector,
  ) {}

  /** Whether a token was revoked (for the log only; the answer is 200 either way). */
  async revoke(token: string, clientId: string): Promise<boolean> {
    if (looksLikeReferenceHandle(token)) {
      const stored = await this.referenceTokens.find(token);
      if (stored?.clientId !== clientId) return false;
      await this.referenceTokens.remove(token);
      return true;
    }
    const jwt = (await this.inspector.verifiedJwt(token)).token;
    if (jwt?.clientId !== clientId) return false;
    await this.revokedTokens.revoke(jwt.jti, clientId, jwt.expiresAt);
    return true;
  }
}

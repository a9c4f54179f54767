import type { IncomingHttpHeaders } from 'node:http';
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import {
  BearerTokenMissing,
  IDENTITY_API_RESOURCE,
  InsufficientScope,
  InvalidDPoPProof,
  InvalidToken,
  Scopes,
  audienceCheck,
  boundKeyOf,
  firstClaimProblem,
  presentationProblem,
  readScopeClaim,
  recordChallenge,
} from '@nest-identity/shared';
import { ClientStore } from '../clients/client-store';
import { DPoPSigningAlgorithms } from '../dpop/dpop-algorithms';
import { DPoPProofChecker, type DPoPHttpRequest } from '../dpop/dpop-proof.checker';
import { TokenInspector } from '../introspection/token-inspector';

/** Checked after the scope, so a valid token of ours for another API is refused for its scope. */
const IDENTITY_AUDIENCE = [audienceCheck([IDENTITY_API_RESOURCE])];

/**
 * An admin request (Express's or Fastify's), and what the guard leaves on it: who is acting, for
 * the audit log.
 */
export interface AdminRequest extends DPoPHttpRequest {
  readonly headers: IncomingHttpHeaders;
  readonly body?: unknown;
  adminClientId?: string;
}

/**
 * The admin API is protected by the identity's own access tokens (dogfooding): a client-credentials
 * token for the `identity` resource with the scope `identity.admin`. It is verified in-process
 * by the identity's one verifier of its own tokens, the one introspection uses (TokenInspector:
 * the published keys, RFC 9068 §4's checks, the identity's clock without skew, the deny-list of
 * revoked `jti`s of RFC 7009), and a DPoP-bound token (`cnf.jkt`) only with the
 * DPoP scheme and a proof of its key (RFC 9449 §7). Plus one rule of our own: the token's client
 * must still exist, be enabled and be allowed `identity.admin` now, so that disabling an admin
 * client or taking the scope away ends its tokens' rights at once.
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  constructor(
    private readonly inspector: TokenInspector,
    private readonly clients: ClientStore,
    private readonly dpop: DPoPProofChecker,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AdminRequest>();
    const presented = presentedToken(request.headers.authorization);
    if (presented === undefined) throw new BearerTokenMissing();
    const { token } = presented;
    const verdict = await this.inspector.activeJwt(token);
    if (!verdict.token) throw new InvalidToken(verdict.problem);
    const { claims, clientId } = verdict.token;
    // A token that passed the verifier has a good `cnf`, if any: boundKeyOf does not throw.
    await this.checkPresentation(request, presented, boundKeyOf(claims));
    // A valid token of ours without the scope (one for api1, say) is refused for what it lacks.
    if (!readScopeClaim(claims.scope).includes(Scopes.IdentityAdmin)) {
      throw new InsufficientScope([Scopes.IdentityAdmin]);
    }
    const audienceProblem = firstClaimProblem(
      { header: {}, payload: claims },
      IDENTITY_AUDIENCE,
      0,
    );
    if (audienceProblem !== undefined) throw new InvalidToken(audienceProblem);
    const client = await this.clients.findClientById(clientId);
    if (!client?.enabled) {
      throw new InvalidToken("the token's client is unknown or disabled", {
        cause: `client ${String(clientId)} is unknown or disabled`,
      });
    }
    if (!client.allowedScopes.includes(Scopes.IdentityAdmin)) {
      throw new InvalidToken(`the token's client is no longer allowed ${Scopes.IdentityAdmin}`, {
        cause: `client ${String(clientId)} is no longer allowed ${Scopes.IdentityAdmin}`,
      });
    }
    request.adminClientId = clientId;
    return true;
  }

  /**
   * RFC 9449 §7.1-7.2: a token bound to a key (`cnf.jkt`) is used only with the DPoP scheme and a
   * valid proof of that key; the DPoP scheme only with a bound token.
   */
  private async checkPresentation(
    request: AdminRequest,
    presented: PresentedToken,
    jkt: string | undefined,
  ): Promise<void> {
    const algs = DPoPSigningAlgorithms.join(' ');
    // A refusal of the DPoP scheme is challenged in it; what follows a good proof keeps Bearer's.
    const refuseAsDPoP = () => recordChallenge(request, { scheme: 'DPoP', algs });
    const problem = presentationProblem(presented.scheme, jkt);
    if (problem !== undefined) {
      if (presented.scheme === 'DPoP') refuseAsDPoP();
      throw new InvalidToken(problem);
    }
    if (jkt === undefined) return;
    try {
      await this.dpop.checkPresented(request, presented.token, jkt);
    } catch (error) {
      if (error instanceof InvalidDPoPProof) {
        refuseAsDPoP();
        throw new InvalidDPoPProof(error.description ?? 'invalid DPoP proof', 401);
      }
      throw error;
    }
  }
}

interface PresentedToken {
  readonly scheme: 'Bearer' | 'DPoP';
  readonly token: string;
}

/**
 * The token of `Authorization: Bearer <token>` or `DPoP <token>` (scheme case-insensitive);
 * undefined when the request carries no access token at all (another scheme included), as the
 * resource servers do.
 */
function presentedToken(authorization: string | undefined): PresentedToken | undefined {
  const match =
    authorization === undefined ? null : /^(bearer|dpop)(?: +(.*))?$/i.exec(authorization);
  if (!match) return undefined;
  const scheme = match[1].toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer';
  const token = match[2]?.trim() ?? '';
  // RFC 6750 §2.1 b68token, the token68 of RFC 9449 §7.1 too
  if (!/^[A-Za-z0-9\-._~+/]+=*$/.test(token)) throw new InvalidToken('the token is malformed');
  return { scheme, token };
}

import { Injectable } from '@nestjs/common';
import { TokenClaimsService, type TokenRequestContext } from '@nest-identity/server';

/** A claims service: every token this authority issues names the caller's tenant. */
@Injectable()
export class TenantClaims extends TokenClaimsService {
  claimsFor({ client }: TokenRequestContext): Record<string, unknown> {
    return { tenant: client.clientId === 'orders-client' ? 'acme' : 'globex' };
  }
}

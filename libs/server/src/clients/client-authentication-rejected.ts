import type { ClientAuthenticationFailure } from '../audit/audit-events';

/**
 * Why a client is not authenticated, wherever that is found out (reading the credentials, the
 * store, an assertion's signature or claims): `reason` for the audit trail, `detail` for the log
 * only. ClientAuthenticator records it and answers the one `invalid_client`
 * (docs/protocols/client-assertions.md, docs/protocols/token-endpoint-errors.md).
 */
export class ClientAuthenticationRejected extends Error {
  constructor(
    readonly reason: ClientAuthenticationFailure,
    readonly detail?: string,
  ) {
    super(detail ? `${reason} (${detail})` : reason);
  }
}

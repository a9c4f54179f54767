/**
 * What the identity tells its audit trail. Each event is a Nest event (`@nestjs/event-emitter`)
 * named `audit.<what>`: listen with `@OnEvent('audit.token.issued')`, or `@OnEvent('audit.**')`
 * for all of them, in any module of your own. Events carry no secret and no token.
 */
export abstract class AuditEvent {
  abstract readonly name: `audit.${string}`;
  readonly at = new Date().toISOString();
}

/** A token request whose client authentication failed; `reason` is for operators only. */
export class ClientAuthenticationFailed extends AuditEvent {
  readonly name = 'audit.client.authentication_failed';
  constructor(
    readonly clientId: string | undefined,
    readonly method: string | undefined,
    readonly reason: string,
    readonly address: string,
  ) {
    super();
  }
}

/** An access token was issued. */
export class TokenIssued extends AuditEvent {
  readonly name = 'audit.token.issued';
  constructor(
    readonly clientId: string,
    readonly grantType: string,
    readonly scope: string,
    readonly expiresIn: number,
    readonly address: string,
  ) {
    super();
  }
}

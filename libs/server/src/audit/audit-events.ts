/**
 * What the identity tells its audit trail. Each event is a Nest event (`@nestjs/event-emitter`)
 * named `audit.<what>`. Listen in any provider of your own, in any module of the identity:
 *
 *   @Injectable()
 *   export class SiemForwarder {
 *     @OnEvent('audit.**')                 // every audit event; or one, e.g. 'audit.client.changed'
 *     forward(event: AuditEvent): void { … }
 *   }
 *
 * Events carry no secret, no secret hash, no token and no key material.
 */
export abstract class AuditEvent {
  abstract readonly name: `audit.${string}`;
  readonly at = new Date().toISOString();
}

/** Why a client authentication failed: a fixed set, so it can be counted and alerted on. */
export const ClientAuthenticationFailures = {
  NoAuthentication: 'no client authentication',
  UnknownClient: 'unknown client',
  DisabledClient: 'client disabled',
  NoSecret: 'no secret presented',
  WrongSecret: 'secret wrong or expired',
  // JWT client assertions (private_key_jwt, client_secret_jwt: RFC 7523 §2.2).
  AssertionMalformed: 'assertion malformed',
  AssertionTypeUnsupported: 'assertion type unsupported',
  AssertionAlgorithmRefused: 'assertion algorithm not allowed',
  NoAssertionKeys: 'no key registered for assertions',
  AssertionKeysUnavailable: "client's jwks_uri unavailable",
  AssertionKeyUnknown: 'assertion key unknown',
  AssertionSignatureInvalid: 'assertion signature invalid',
  AssertionClaimsInvalid: 'assertion claims invalid',
  AssertionReplayed: 'assertion replayed',
} as const;
export type ClientAuthenticationFailure =
  (typeof ClientAuthenticationFailures)[keyof typeof ClientAuthenticationFailures];

/**
 * A token request whose client authentication failed; `reason` is for operators only. Requests
 * refused while a client id is locked out are not events (a flood would flood the log too): the
 * lock-out is logged once, and they are counted in the metrics.
 */
export class ClientAuthenticationFailed extends AuditEvent {
  readonly name = 'audit.client.authentication_failed';
  constructor(
    /** As presented: it may name no client at all. */
    readonly clientId: string | undefined,
    readonly method: string | undefined,
    readonly reason: ClientAuthenticationFailure,
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

/** Who made a change: the admin API's token client id, `cli`, or undefined when unknown. */
export type Actor = string | undefined;

/** The command line's name in `actor`. */
export const CLI_ACTOR = 'cli';

export type ClientChange =
  'created' | 'updated' | 'enabled' | 'disabled' | 'deleted' | 'secret_added' | 'secret_removed';

/**
 * A database client was created, changed or deleted (by the admin API or the CLI). `fields` names
 * the properties an update set (never their values); `secretId` is the id of the secret added
 * or removed, never the secret.
 */
export class ClientChanged extends AuditEvent {
  readonly name = 'audit.client.changed';
  constructor(
    readonly clientId: string,
    readonly change: ClientChange,
    readonly actor: Actor,
    readonly details: { readonly fields?: readonly string[]; readonly secretId?: string } = {},
  ) {
    super();
  }
}

/**
 * What happened to the signing keys:
 * - `created`: a key was stored (`reason`: the first key, the scheduled successor, a key created
 *   because none was active, or the previous version's key file imported), with its schedule;
 * - `activated`: this process signs new tokens with another key from now on (`previousKid`);
 * - `forced_rotation`: an operator's rotation: the new key signs at once, `retired` keys stop
 *   signing and stay published for the retention time;
 * - `deleted`: a key past its retention left the store and the JWKS;
 * - `revoked`: an operator's emergency revocation (`actor`): the key left the store and the JWKS
 *   at once, and `successor` names the key that signs in its place when it was the one signing
 *   (that key's own event is a `forced_rotation`).
 */
export type SigningKeyAction = 'created' | 'activated' | 'forced_rotation' | 'deleted' | 'revoked';

export interface SigningKeyDetails {
  readonly alg?: string;
  readonly generation?: number;
  readonly reason?: 'first' | 'successor' | 'unscheduled' | 'imported';
  /** ISO 8601 instants of the key's schedule. */
  readonly activatesAt?: string;
  readonly retiresAt?: string;
  readonly previousKid?: string;
  readonly retired?: readonly string[];
  readonly successor?: string;
  readonly actor?: string;
}

/** A signing key was created, started signing, was rotated in by force, deleted or revoked. */
export class SigningKeyRotated extends AuditEvent {
  readonly name = 'audit.signing_key.rotated';
  constructor(
    readonly action: SigningKeyAction,
    readonly kid: string,
    readonly details: SigningKeyDetails = {},
  ) {
    super();
  }
}

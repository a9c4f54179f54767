import {
  Inject,
  Injectable,
  Logger,
  Module,
  type DynamicModule,
  type OnModuleInit,
  type Type,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { claimTypeProblem, InvalidRequest } from '@nest-identity/shared';
import type { Client } from '../clients/client';
import type { OAuthForm } from '../http/oauth-form';

/**
 * One token request as the token endpoint is about to grant it: the client authenticated and
 * allowed the grant, the grant's own checks passed (scopes, resources, DPoP proof).
 */
export interface TokenRequestContext {
  readonly client: Client;
  /** The request's `grant_type`. */
  readonly grantType: string;
  /** The request's form parameters (`request.param('scope')`, `request.params('resource')`...). */
  readonly request: OAuthForm;
  /** The scopes the token will carry. */
  readonly scopes: readonly string[];
  /** The token's `aud`. */
  readonly audiences: readonly string[];
  /** Seconds the token will live. */
  readonly lifetime: number;
}

/**
 * Claims added to every access token the token endpoint issues, JWT or reference token, as
 * IdentityServer's profile service adds claims to client tokens (docs/extending.md, "A claims
 * service"). A claim named as a protocol claim (`iss`, `sub`, `scope`...) is refused: the token
 * request fails with `invalid_request` and the name is logged.
 */
export abstract class TokenClaimsService {
  abstract claimsFor(
    context: TokenRequestContext,
  ): Promise<Readonly<Record<string, unknown>>> | Readonly<Record<string, unknown>>;
}

/**
 * What a TokenRequestValidator may change: it may only take away. Each field is optional.
 */
export interface TokenRequestAmendment {
  /** Some of the context's scopes (at least one): the token carries these only. */
  readonly scopes?: readonly string[];
  /** Some of the context's audiences (at least one). */
  readonly audiences?: readonly string[];
  /** A shorter lifetime, in whole seconds (at least 1). */
  readonly lifetime?: number;
  /** Claims to add, under the same rule as a claims service's. */
  readonly claims?: Readonly<Record<string, unknown>>;
}

/**
 * A last check of each token request before a token is issued, as IdentityServer's
 * ICustomTokenRequestValidator (docs/extending.md, "A token request validator"). Throw an
 * OAuthError of `@nest-identity/shared` (InvalidRequest, InvalidScope, UnauthorizedClient,
 * InvalidGrant...) to refuse; return an amendment to narrow what is granted, or nothing.
 */
export abstract class TokenRequestValidator {
  abstract validate(
    context: TokenRequestContext,
  ): Promise<TokenRequestAmendment | void> | TokenRequestAmendment | void;
}

/** The classes the host app supplied (IdentityServerModule's options). */
export interface TokenExtensionTypes {
  readonly claimsServices?: readonly Type<TokenClaimsService>[];
  readonly tokenRequestValidators?: readonly Type<TokenRequestValidator>[];
}

const TOKEN_EXTENSION_TYPES = Symbol('TOKEN_EXTENSION_TYPES');

/** The token request, once every validator has run, and the claims they added. */
export interface ValidatedTokenRequest {
  readonly context: TokenRequestContext;
  readonly claims: Record<string, unknown>;
}

/** A host's extension that broke its contract: a bug of the host, never of the caller. */
class ExtensionMisuse extends Error {}

/**
 * Runs the host's token request validators and claims services for AccessTokenIssuer. The
 * classes are providers of the module that mounts the authority (so they see its `imports` and
 * `providers`); they are looked up once every provider exists.
 */
@Injectable()
export class TokenRequestExtensions implements OnModuleInit {
  private readonly logger = new Logger('TokenRequestExtensions');
  private validators: readonly TokenRequestValidator[] = [];
  private claimsServices: readonly TokenClaimsService[] = [];

  constructor(
    private readonly moduleRef: ModuleRef,
    @Inject(TOKEN_EXTENSION_TYPES) private readonly types: TokenExtensionTypes,
  ) {}

  onModuleInit(): void {
    this.validators = this.resolve(this.types.tokenRequestValidators, 'validate');
    this.claimsServices = this.resolve(this.types.claimsServices, 'claimsFor');
  }

  /** Every validator in order, each seeing the request as the previous one left it. */
  async validate(initial: TokenRequestContext): Promise<ValidatedTokenRequest> {
    let context = initial;
    const claims = Object.create(null) as Record<string, unknown>;
    for (const validator of this.validators) {
      const amendment = await validator.validate(context);
      if (amendment === undefined || amendment === null) continue;
      const source = describe(validator, 'TokenRequestValidator');
      context = this.guard(() => amend(context, amendment, source));
      if (amendment.claims !== undefined) {
        Object.assign(
          claims,
          this.guard(() => addedClaims(amendment.claims, source)),
        );
      }
    }
    return { context, claims };
  }

  /** Every claims service's claims, a later service's replacing an earlier one's of the same name. */
  async claimsFor(context: TokenRequestContext): Promise<Record<string, unknown>> {
    const claims = Object.create(null) as Record<string, unknown>;
    for (const service of this.claimsServices) {
      const added = await service.claimsFor(context);
      const source = describe(service, 'TokenClaimsService');
      Object.assign(
        claims,
        this.guard(() => addedClaims(added, source)),
      );
    }
    return claims;
  }

  /**
   * RFC 6749 §5.2 has no code for a fault of the server at the token endpoint; of its codes only
   * `invalid_request` ("otherwise malformed") names no particular parameter, and the identity keeps
   * 5xx answers for outages (docs/extending.md, "A claims service"). The host's fault is logged
   * as an error, for its operator; the caller learns nothing of the host's code.
   */
  private guard<T>(step: () => T): T {
    try {
      return step();
    } catch (error) {
      if (!(error instanceof ExtensionMisuse)) throw error;
      this.logger.error(`${error.message}; the token request was refused with invalid_request`);
      throw new InvalidRequest('the server cannot issue a token for this request');
    }
  }

  private resolve<T>(types: readonly Type<T>[] | undefined, method: string): T[] {
    return (types ?? []).map((type) => {
      const instance = this.moduleRef.get(type, { strict: false });
      if (typeof (instance as Record<string, unknown> | undefined)?.[method] !== 'function') {
        throw new Error(`${type.name} has no method ${method}() (docs/extending.md)`);
      }
      return instance;
    });
  }
}

/** Provides TokenRequestExtensions to every module of the authority. */
@Module({})
export class TokenExtensionsModule {
  /** The extensions the host supplied (IdentityServerModule's options). */
  static forRoot(types: TokenExtensionTypes): DynamicModule {
    return {
      module: TokenExtensionsModule,
      global: true,
      providers: [{ provide: TOKEN_EXTENSION_TYPES, useValue: types }, TokenRequestExtensions],
      exports: [TokenRequestExtensions],
    };
  }
}

/**
 * The rule for what a validator may change (TokenRequestAmendment): scopes and audiences only
 * narrowed, never emptied; the lifetime only shortened.
 */
function amend(
  context: TokenRequestContext,
  amendment: TokenRequestAmendment,
  source: string,
): TokenRequestContext {
  const lifetime = amendment.lifetime;
  if (
    lifetime !== undefined &&
    !(Number.isInteger(lifetime) && lifetime >= 1 && lifetime <= context.lifetime)
  ) {
    throw new ExtensionMisuse(
      `${source} set the lifetime to ${String(lifetime)}: it may only shorten it, to whole seconds from 1 to ${context.lifetime}`,
    );
  }
  return {
    ...context,
    scopes: narrowed(context.scopes, amendment.scopes, 'scopes', source),
    audiences: narrowed(context.audiences, amendment.audiences, 'audiences', source),
    lifetime: lifetime ?? context.lifetime,
  };
}

function narrowed(
  granted: readonly string[],
  kept: readonly string[] | undefined,
  what: string,
  source: string,
): readonly string[] {
  if (kept === undefined) return granted;
  const names: unknown = kept;
  if (!Array.isArray(names) || names.length === 0) {
    throw new ExtensionMisuse(
      `${source} left no ${what}: to refuse the request, throw an OAuthError (InvalidScope...)`,
    );
  }
  const added = (names as unknown[]).filter(
    (name) => typeof name !== 'string' || !granted.includes(name),
  );
  if (added.length > 0) {
    throw new ExtensionMisuse(
      `${source} added the ${what} ${added.map(String).join(' ')}: it may only narrow them`,
    );
  }
  return granted.filter((name) => kept.includes(name));
}

/**
 * The claims a host's extension adds, in a null-prototype object. Names follow the one rule of
 * configured claims (claimTypeProblem): never a protocol claim such as `sub` or `scope`, nor a
 * name every JavaScript object has. An `undefined` value adds nothing.
 */
function addedClaims(claims: unknown, source: string): Record<string, unknown> {
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
    throw new ExtensionMisuse(`${source} returned claims that are not an object`);
  }
  const added = Object.create(null) as Record<string, unknown>;
  for (const [name, value] of Object.entries(claims)) {
    const problem = claimTypeProblem(name);
    if (problem !== undefined) throw new ExtensionMisuse(`${source} added a claim: ${problem}`);
    if (value !== undefined) added[name] = value;
  }
  return added;
}

function describe(extension: object, kind: string): string {
  return `${kind} ${extension.constructor.name}`;
}

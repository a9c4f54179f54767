import { Inject, Injectable, Logger } from '@nestjs/common';
import { OAuthPaths, inClientSpan, traceHeaders } from '@nest-identity/shared';
import { RESOLVED_JWT_BEARER_OPTIONS } from './jwt-bearer.module-definition';
import { withoutTrailingSlash, type ResolvedJwtBearerOptions } from './jwt-bearer.options';
import { FailureLog, describeFailure } from './failure-log';

/** What the resource server takes from the authority's metadata document. */
export interface AuthorityMetadataDocument {
  /** The issuer exactly as the authority spells it: tokens must carry this `iss`. */
  issuer: string;
  jwksUri: string;
  /** The authority's token endpoint, when its document names one (for clients and API docs). */
  tokenEndpoint?: string;
  /** RFC 7662's endpoint, when the document names one (reference tokens). */
  introspectionEndpoint?: string;
}

export class AuthorityMetadataError extends Error {
  override readonly name = 'AuthorityMetadataError';
}

/**
 * Discovers the authority's metadata (`issuer`, `jwks_uri`) lazily and caches it. A failure is
 * remembered for `metadataRetrySeconds`, so an unreachable authority costs at most one attempt
 * per interval; once the authority answers, validation starts with no restart. Stale metadata
 * keeps being used while a refresh fails.
 */
@Injectable()
export class AuthorityMetadata {
  private readonly failures = new FailureLog(new Logger('JwtBearer'), 'authority metadata');
  private current?: { document: AuthorityMetadataDocument; fetchedAt: number };
  private lastFailure?: { error: Error; at: number };
  private inFlight?: Promise<AuthorityMetadataDocument>;

  constructor(
    @Inject(RESOLVED_JWT_BEARER_OPTIONS) private readonly options: ResolvedJwtBearerOptions,
  ) {}

  private get metadataUrl(): string {
    return `${this.options.authority}${OAuthPaths.OpenIdConfiguration}`;
  }

  async get(): Promise<AuthorityMetadataDocument> {
    const now = Date.now();
    if (this.current && now - this.current.fetchedAt < this.options.metadataRefreshSeconds * 1000)
      return this.current.document;
    if (this.lastFailure && now - this.lastFailure.at < this.options.metadataRetrySeconds * 1000) {
      if (this.current) return this.current.document;
      throw this.lastFailure.error;
    }
    this.inFlight ??= this.refresh().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async refresh(): Promise<AuthorityMetadataDocument> {
    try {
      const document = await this.fetchDocument();
      this.current = { document, fetchedAt: Date.now() };
      this.lastFailure = undefined;
      this.failures.succeeded();
      return document;
    } catch (cause) {
      const error = new AuthorityMetadataError(`${this.metadataUrl}: ${describeFailure(cause)}`, {
        cause,
      });
      this.lastFailure = { error, at: Date.now() };
      this.failures.failed(error.message);
      if (this.current) return this.current.document;
      throw error;
    }
  }

  private fetchDocument(): Promise<AuthorityMetadataDocument> {
    return inClientSpan('discovery fetch', 'GET', this.metadataUrl, async (answered) => {
      const response = await fetch(this.metadataUrl, {
        headers: traceHeaders({ accept: 'application/json' }),
        redirect: 'error',
        signal: AbortSignal.timeout(this.options.backchannelTimeoutSeconds * 1000),
      });
      answered(response.status);
      if (!response.ok) throw new Error(`answered HTTP ${response.status}`);
      return this.readDocument(await response.json());
    });
  }

  /** RFC 8414 §3.3: the document must name the very issuer it was fetched for. */
  private readDocument(body: unknown): AuthorityMetadataDocument {
    const {
      issuer,
      jwks_uri: jwksUri,
      token_endpoint: tokenEndpoint,
      introspection_endpoint: introspectionEndpoint,
    } = (body ?? {}) as Record<string, unknown>;
    if (typeof issuer !== 'string') throw new Error('the document has no issuer');
    if (withoutTrailingSlash(issuer) !== this.options.authority)
      throw new Error(`its issuer "${issuer}" is not the authority "${this.options.authority}"`);
    if (typeof jwksUri !== 'string' || !URL.canParse(jwksUri))
      throw new Error('the document has no valid jwks_uri');
    if (this.options.requireHttpsMetadata && new URL(jwksUri).protocol !== 'https:')
      throw new Error(`its jwks_uri "${jwksUri}" is not https, and requireHttpsMetadata is on`);
    return {
      issuer,
      jwksUri,
      ...(typeof tokenEndpoint === 'string' && URL.canParse(tokenEndpoint)
        ? { tokenEndpoint }
        : {}),
      ...(typeof introspectionEndpoint === 'string' && URL.canParse(introspectionEndpoint)
        ? { introspectionEndpoint }
        : {}),
    };
  }
}

import {
  Module,
  type DynamicModule,
  type ModuleMetadata,
  type Provider,
  type Type,
} from '@nestjs/common';
import { AdminModule } from './admin/admin.module';
import type { AuditEventSink } from './audit/audit-event-sink';
import { AuditModule } from './audit/audit.module';
import { ClientAssertionsModule } from './clients/assertions/client-assertions.module';
import type { ClientStore } from './clients/client-store';
import { ClientsModule } from './clients/clients.module';
import { DemoSecretWarnings } from './clients/demo-secrets';
import type { ResourceStore } from './clients/resource-store';
import {
  IdentitySettingsModule,
  type IdentityEnvironmentValues,
  type IdentitySettingsSource,
} from './config/identity-settings.module';
import { IntrospectionModule } from './introspection/introspection.module';
import { KeysModule } from './keys/keys.module';
import { MetadataModule } from './metadata/metadata.module';
import { IdentityMetricsModule } from './metrics/identity-metrics.module';
import { PersistenceModule } from './persistence/persistence.module';
import { ReplayCacheModule } from './replay/replay-cache.module';
import { RateLimitModule } from './throttling/rate-limit.module';
import {
  TokenExtensionsModule,
  type TokenClaimsService,
  type TokenRequestValidator,
} from './token/token-extensions';
import { TokenModule } from './token/token.module';

/** What a host app chooses when it mounts the authority (docs/extending.md). */
export interface IdentityServerExtensions {
  /** Replaces the configuration file's and the database's clients (docs/extending.md). */
  clientStore?: Type<ClientStore>;
  /** Replaces the configuration file's API scopes and resources. */
  resourceStore?: Type<ResourceStore>;
  /** Add claims to every access token, in this order (a later one's claim replaces an earlier one's). */
  claimsServices?: Type<TokenClaimsService>[];
  /** Check, and may narrow, every token request before a token is issued, in this order. */
  tokenRequestValidators?: Type<TokenRequestValidator>[];
  /** Receive every audit event, besides the `@OnEvent('audit.…')` listeners. */
  eventSinks?: Type<AuditEventSink>[];
  /**
   * The host's own providers for the authority: `@GrantType()` grant handlers and whatever they
   * (and the classes above) need. They, and the classes above, see every provider the authority
   * exports (AccessTokenIssuer, ClientStore...).
   */
  providers?: Provider[];
  /** Modules the providers above need. */
  imports?: ModuleMetadata['imports'];
}

export interface IdentityServerOptions extends IdentityServerExtensions {
  /**
   * The settings, named as the environment variables of docs/reference.md and validated the same
   * way (ISSUER, IDENTITY_CONFIG, IDENTITY_DATA_DIR, DATABASE_URL, RATE_LIMIT...). Defaults to
   * `process.env`.
   */
  environment?: IdentityEnvironmentValues;
}

export interface IdentityServerAsyncOptions extends IdentityServerExtensions {
  /** The settings from the host's own configuration (its ConfigService, a secret store...). */
  settings: IdentitySettingsSource;
}

/**
 * The authority as a Nest module: `POST /connect/token`, discovery, the JWKS, introspection,
 * revocation and the admin API, on the routes of the app that imports it, with the stores,
 * throttles, audit events and metrics of the standalone server. It brings routes and providers
 * only: the logger, security headers, CORS, `GET /metrics` and health routes stay the host's
 * (docs/extending.md, "Mount the authority in your app").
 */
@Module({})
export class IdentityServerModule {
  static forRoot(options: IdentityServerOptions = {}): DynamicModule {
    const environment = options.environment;
    return IdentityServerModule.forRootAsync({
      ...options,
      settings: { useFactory: () => environment ?? process.env },
    });
  }

  static forRootAsync(options: IdentityServerAsyncOptions): DynamicModule {
    const claimsServices = options.claimsServices ?? [];
    const tokenRequestValidators = options.tokenRequestValidators ?? [];
    const eventSinks = options.eventSinks ?? [];
    return {
      module: IdentityServerModule,
      imports: [
        IdentitySettingsModule.forRoot(options.settings),
        AuditModule.forRoot({ sinks: eventSinks }),
        PersistenceModule,
        ReplayCacheModule,
        ClientAssertionsModule,
        ClientsModule.forRoot({
          clientStore: options.clientStore,
          resourceStore: options.resourceStore,
        }),
        KeysModule.forRoot(),
        TokenExtensionsModule.forRoot({ claimsServices, tokenRequestValidators }),
        TokenModule,
        IntrospectionModule,
        MetadataModule,
        AdminModule,
        RateLimitModule,
        IdentityMetricsModule,
        ...(options.imports ?? []),
      ],
      // The host's classes live here, where its `imports` and `providers` are; the authority's
      // modules look them up by class.
      providers: [
        DemoSecretWarnings,
        ...claimsServices,
        ...tokenRequestValidators,
        ...eventSinks,
        ...(options.providers ?? []),
      ],
      exports: [TokenModule],
    };
  }
}

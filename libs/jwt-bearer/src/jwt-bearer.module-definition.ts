import { ConfigurableModuleBuilder, type Type } from '@nestjs/common';
import type { JwtBearerOptions } from './jwt-bearer.options';
import { NoTokenRevocation, TokenRevocation } from './token-revocation';

/** What forRoot and forRootAsync take besides the options: classes to provide. */
export interface JwtBearerExtras {
  /** Decides whether a verified token was revoked since (see TokenRevocation). Default: none is. */
  tokenRevocation?: Type<TokenRevocation>;
}

export const {
  ConfigurableModuleClass: ConfigurableJwtBearerModule,
  MODULE_OPTIONS_TOKEN: JWT_BEARER_OPTIONS,
} = new ConfigurableModuleBuilder<JwtBearerOptions>()
  .setClassMethodName('forRoot')
  .setExtras<JwtBearerExtras>({}, (definition, { tokenRevocation }) => ({
    ...definition,
    // Its guard is global already; AuthorityReadiness is then injectable anywhere (health).
    global: true,
    providers: [
      ...(definition.providers ?? []),
      { provide: TokenRevocation, useClass: tokenRevocation ?? NoTokenRevocation },
    ],
  }))
  .build();

/** The options after defaults and checks (see resolveJwtBearerOptions); what providers inject. */
export const RESOLVED_JWT_BEARER_OPTIONS = Symbol('RESOLVED_JWT_BEARER_OPTIONS');

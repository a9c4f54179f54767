import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { TokenClientOptions } from './token-client.options';

export const {
  ConfigurableModuleClass: ConfigurableTokenClientModule,
  MODULE_OPTIONS_TOKEN: TOKEN_CLIENT_OPTIONS,
} = new ConfigurableModuleBuilder<TokenClientOptions>().setClassMethodName('forRoot').build();

/** The options after defaults and checks (see resolveTokenClientOptions); what providers inject. */
export const RESOLVED_TOKEN_CLIENT_OPTIONS = Symbol('RESOLVED_TOKEN_CLIENT_OPTIONS');

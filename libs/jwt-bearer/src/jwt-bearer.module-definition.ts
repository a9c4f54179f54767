import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { JwtBearerOptions } from './jwt-bearer.options';

export const {
  ConfigurableModuleClass: ConfigurableJwtBearerModule,
  MODULE_OPTIONS_TOKEN: JWT_BEARER_OPTIONS,
} = new ConfigurableModuleBuilder<JwtBearerOptions>().setClassMethodName('forRoot').build();

/** The options after defaults and checks (see resolveJwtBearerOptions); what providers inject. */
export const RESOLVED_JWT_BEARER_OPTIONS = Symbol('RESOLVED_JWT_BEARER_OPTIONS');

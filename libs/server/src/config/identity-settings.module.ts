import {
  Module,
  type DynamicModule,
  type FactoryProvider,
  type ModuleMetadata,
} from '@nestjs/common';
import { identitySettings, settingsFromEnvironment } from './identity-settings';

/** The settings by the environment variables' names (docs/reference.md), or a promise of them. */
export type IdentityEnvironmentValues = Readonly<Record<string, string | undefined>>;

export interface IdentitySettingsSource {
  imports?: ModuleMetadata['imports'];
  inject?: FactoryProvider['inject'];
  useFactory: (...args: never[]) => IdentityEnvironmentValues | Promise<IdentityEnvironmentValues>;
}

/**
 * Provides `identitySettings.KEY` to every module of the authority, validated by the same DTO
 * whether the values come from `process.env` (the standalone server, the CLI) or from the options
 * of a module a host app mounts. Its own module rather than `ConfigModule.forRoot`, which would
 * register a global ConfigService in the host's app.
 */
@Module({})
export class IdentitySettingsModule {
  static forRoot(source: IdentitySettingsSource): DynamicModule {
    return {
      module: IdentitySettingsModule,
      global: true,
      imports: source.imports ?? [],
      providers: [
        {
          provide: identitySettings.KEY,
          inject: source.inject ?? [],
          useFactory: async (...args: never[]) =>
            settingsFromEnvironment(await source.useFactory(...args)),
        },
      ],
      exports: [identitySettings.KEY],
    };
  }

  /** The settings from the process's environment. */
  static fromProcessEnvironment(): DynamicModule {
    return IdentitySettingsModule.forRoot({ useFactory: () => process.env });
  }
}

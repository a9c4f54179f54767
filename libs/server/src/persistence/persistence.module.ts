import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { identitySettings, type IdentitySettings } from '../config/identity-settings';
import { dataSourceOptions } from './data-source-options';
import { runMigrations } from './migrate';
import { StoreChanges } from './store-changes';
import { StoreWriter } from './store-writer';

/**
 * The identity's database: SQLite in IDENTITY_DATA_DIR, or PostgreSQL when DATABASE_URL is set.
 * Migrations run before anything reads it.
 */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [identitySettings.KEY],
      useFactory: (settings: IdentitySettings) => dataSourceOptions(settings),
      dataSourceFactory: async (options) => {
        const dataSource = await new DataSource(options!).initialize();
        await runMigrations(dataSource);
        return dataSource;
      },
    }),
  ],
  providers: [StoreChanges, StoreWriter],
  exports: [StoreChanges, StoreWriter],
})
export class PersistenceModule {}

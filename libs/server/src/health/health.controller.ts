import { Controller } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  HealthCheckService,
  TypeOrmHealthIndicator,
  type HealthIndicatorFunction,
} from '@nestjs/terminus';
import { HealthEndpoints } from '@nest-identity/shared/hosting';
import { IDENTITY_DATA_SOURCE } from '../persistence/identity-data-source';
import { SqliteFileHealthIndicator } from './sqlite-file.health';
import { SigningKeyHealthIndicator } from './signing-key.health';

/** Past it the store counts as down: a token request would wait as long for an uncached client. */
const STORE_PING_TIMEOUT_MS = 1000;

/**
 * The identity is ready when its store answers a trivial query within a second, a signing key
 * is loaded and, on SQLite, the store's file is still the one it opened. Liveness never looks at the database: replicas keep issuing tokens to cached clients
 * through an outage.
 */
@Controller()
export class HealthController extends HealthEndpoints {
  constructor(
    checks: HealthCheckService,
    private readonly store: TypeOrmHealthIndicator,
    private readonly signingKey: SigningKeyHealthIndicator,
    private readonly sqliteFile: SqliteFileHealthIndicator,
    @InjectDataSource(IDENTITY_DATA_SOURCE) private readonly dataSource: DataSource,
  ) {
    super(checks);
  }

  protected readinessChecks(): HealthIndicatorFunction[] {
    return [
      () =>
        this.store.pingCheck('store', {
          timeout: STORE_PING_TIMEOUT_MS,
          connection: this.dataSource,
        }),
      () => this.signingKey.isLoaded('signingKey'),
      () => this.sqliteFile.isTheOpenedFile('storeFile'),
    ];
  }
}

import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import { IDENTITY_DATA_SOURCE } from '../persistence/identity-data-source';
import { statSync } from 'node:fs';
import type { DataSource } from 'typeorm';

/**
 * The embedded store's file is still the one the identity opened. A deleted (or replaced) SQLite
 * file does not stop the open connection: its writes go to an unlinked file and vanish at the
 * next restart, while every query still answers. So the path is compared, by device and inode,
 * with what it was at start-up. PostgreSQL: nothing to check, always up.
 */
@Injectable()
export class SqliteFileHealthIndicator implements OnModuleInit {
  private opened?: { readonly path: string; readonly dev: number; readonly ino: number };

  constructor(
    @InjectDataSource(IDENTITY_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly indicators: HealthIndicatorService,
  ) {}

  onModuleInit(): void {
    const { type, database } = this.dataSource.options;
    if (type !== 'better-sqlite3' || typeof database !== 'string') return;
    const { dev, ino } = statSync(database);
    this.opened = { path: database, dev, ino };
  }

  isTheOpenedFile(key: string): HealthIndicatorResult {
    const indicator = this.indicators.check(key);
    const opened = this.opened;
    if (opened === undefined) return indicator.up();
    let current: { dev: number; ino: number } | undefined;
    try {
      current = statSync(opened.path);
    } catch {
      current = undefined;
    }
    if (current?.dev === opened.dev && current.ino === opened.ino) return indicator.up();
    return indicator.down({
      message: `${opened.path} was ${current === undefined ? 'deleted' : 'replaced'} while the identity runs: its writes would be lost (fix: restore the file from a backup, then restart the identity)`,
    });
  }
}

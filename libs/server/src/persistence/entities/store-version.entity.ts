import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One row whose `version` every write to clients or keys increments, in the same transaction.
 * Each replica polls it and drops its caches when it moves: one mechanism for SQLite (the CLI
 * writes from another process) and PostgreSQL (other replicas).
 */
@Entity({ name: 'identity_store_version' })
export class StoreVersionEntity {
  @PrimaryColumn({ type: 'integer' })
  id!: number;

  @Column({
    type: 'bigint',
    transformer: { to: (v: number) => v, from: (v: string | number) => Number(v) },
  })
  version!: number;
}

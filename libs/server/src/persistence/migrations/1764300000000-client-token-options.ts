import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Issue 7's per-client options: the access-token type, DPoP, the resources a client may name
 * (RFC 8707) and its public keys for private_key_jwt. Existing clients keep today's behaviour.
 */
export class ClientTokenOptions1764300000000 implements MigrationInterface {
  name = 'ClientTokenOptions1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('identity_clients', [
      new TableColumn({
        name: 'access_token_type',
        type: 'varchar',
        length: '20',
        default: "'jwt'",
      }),
      new TableColumn({ name: 'require_dpop', type: 'boolean', default: false }),
      new TableColumn({ name: 'allowed_resources', type: 'text', default: "'[]'" }),
      new TableColumn({ name: 'jwks', type: 'text', isNullable: true }),
      new TableColumn({ name: 'jwks_uri', type: 'varchar', length: '2000', isNullable: true }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const column of [
      'jwks_uri',
      'jwks',
      'allowed_resources',
      'require_dpop',
      'access_token_type',
    ])
      await queryRunner.dropColumn('identity_clients', column);
  }
}

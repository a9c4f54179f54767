import { ApiProperty } from '@nestjs/swagger';
import type { KeyStatus } from '../keys/key-schedule';

const KeyStatuses: readonly KeyStatus[] = ['pending', 'active', 'retired'];

/** A signing key as `GET /admin/keys` shows it: its schedule, never key material. */
export class SigningKeySchema {
  @ApiProperty({ example: 'DUEIYdsovAZ-XVQTKX_YMNGEUH2Xh8gaq65yW2wkoaw' })
  kid!: string;

  @ApiProperty({ example: 'RS256' })
  alg!: string;

  @ApiProperty({ type: 'integer', example: 2 })
  generation!: number;

  @ApiProperty({ enum: KeyStatuses })
  status!: KeyStatus;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  activatesAt!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  retiresAt!: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    description: 'When it leaves the JWKS and is deleted.',
  })
  publishedUntil!: string;
}

export class SigningKeyListSchema {
  @ApiProperty({ type: SigningKeySchema, isArray: true })
  keys!: SigningKeySchema[];
}

export class KeyRevocationSchema {
  @ApiProperty({ description: 'The kid revoked: deleted, no longer published.' })
  revoked!: string;

  @ApiProperty({ description: 'The key that signs new tokens now.' })
  signingKid!: string;

  @ApiProperty({ description: 'Whether that key was created by the revocation.' })
  newSigningKey!: boolean;

  @ApiProperty({ type: [String], description: 'The kids the JWKS publishes now.' })
  published!: string[];
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { AccessTokenTypes, type AccessTokenType, type JsonWebKeySet } from '@nest-identity/shared';
import type { ClientSource } from '../clients/client';
import type { AddedSecret, ClientView, SecretView } from '../clients/management/client-views';

const ClientSources: readonly ClientSource[] = ['configuration', 'database'];

class ClaimSchema {
  @ApiProperty({ example: 'tenant' })
  type!: string;

  @ApiProperty({ example: 'acme' })
  value!: string;
}

export class SecretViewSchema implements SecretView {
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'null for configuration-file secrets.',
  })
  id!: string | null;

  @ApiProperty({ type: String, nullable: true })
  description!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'null: never.' })
  expiration!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  createdAt!: string | null;
}

export class AddedSecretSchema extends SecretViewSchema implements AddedSecret {
  @ApiProperty()
  declare id: string;

  @ApiPropertyOptional({ description: 'Only when the server generated it: shown this once.' })
  secret?: string;
}

/** A client as the admin API shows it: never a secret hash. */
export class ClientViewSchema implements ClientView {
  @ApiProperty({ example: 'billing-service' })
  clientId!: string;

  @ApiProperty({ enum: ClientSources })
  source!: ClientSource;

  @ApiProperty()
  enabled!: boolean;

  @ApiProperty({ type: String, nullable: true })
  clientName!: string | null;

  @ApiProperty({ type: String, nullable: true })
  description!: string | null;

  @ApiProperty({ type: [String], example: ['client_credentials'] })
  allowedGrantTypes!: string[];

  @ApiProperty({ type: [String], example: ['api1'] })
  allowedScopes!: string[];

  @ApiProperty({ type: 'integer', example: 3600 })
  accessTokenLifetime!: number;

  @ApiProperty({ type: ClaimSchema, isArray: true })
  claims!: ClaimSchema[];

  @ApiProperty({ enum: Object.values(AccessTokenTypes) })
  accessTokenType!: AccessTokenType;

  @ApiProperty()
  requireDPoP!: boolean;

  @ApiProperty({ type: [String], example: [] })
  allowedResources!: string[];

  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  jwks!: JsonWebKeySet | null;

  @ApiProperty({ type: String, nullable: true })
  jwksUri!: string | null;

  @ApiProperty({ type: SecretViewSchema, isArray: true })
  secrets!: SecretViewSchema[];

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  createdAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  updatedAt!: string | null;
}

export class CreatedClientSchema extends ClientViewSchema {
  @ApiPropertyOptional({ description: 'Only when the server generated it: shown this once.' })
  secret?: string;
}

export class ClientListSchema {
  @ApiProperty({ type: ClientViewSchema, isArray: true })
  clients!: ClientViewSchema[];
}

import { Delete, Get, HttpCode, Param, Patch, Post, Req, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
} from '@nestjs/swagger';
import { noStore, type HeaderWriter } from '@nest-identity/shared';
import { ClientManagementService } from '../clients/management/client-management.service';
import {
  CreateClientInput,
  SecretInput,
  UpdateClientInput,
} from '../clients/management/client-management.dto';
import type { AddedSecret, ClientView } from '../clients/management/client-views';
import {
  AddedSecretSchema,
  ClientListSchema,
  ClientViewSchema,
  CreatedClientSchema,
} from './client.schemas';
import { ApiProblems } from './problem.schema';
import { JsonTooDeep, UnparsableJson } from '../http/form-body';
import { MAX_JSON_DEPTH, valueNestsDeeperThan } from '../http/json-depth';
import { AdminAccessProblems, AdminController } from './admin-controller.decorator';
import type { AdminRequest } from './admin-token.guard';
import { AdminRequestProblem } from './problem';

export const ADMIN_CLIENTS_PATH = '/admin/clients';

/**
 * The admin API for clients: the database ones can be created, changed, given and relieved of
 * secrets, and deleted; the configuration file's are listed and shown, and refused any change
 * (409). Every answer is `Cache-Control: no-store`: it may hold a secret shown only once. Each
 * change is an audit event (ClientChanged) naming the admin token's client as its actor.
 */
@AdminController(ADMIN_CLIENTS_PATH)
export class AdminClientsController {
  constructor(private readonly clients: ClientManagementService) {}

  @Get()
  @ApiOperation({ summary: 'Every client, from the configuration file and the database' })
  @ApiOkResponse({ type: ClientListSchema })
  @ApiProblems(AdminAccessProblems)
  async list(@Res({ passthrough: true }) reply: HeaderWriter): Promise<{ clients: ClientView[] }> {
    noStore(reply);
    return { clients: await this.clients.list() };
  }

  /** 201 with the client, and the generated secret (`secret`) when the caller supplied none. */
  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a database client' })
  @ApiBody({ type: CreateClientInput })
  @ApiCreatedResponse({ type: CreatedClientSchema, description: 'With `Location`.' })
  @ApiProblems({
    ...AdminAccessProblems,
    400: 'invalid input, each problem with its path',
    409: 'the client id is taken',
    415: 'not application/json',
  })
  async create(
    @Req() request: AdminRequest,
    @Res({ passthrough: true }) reply: HeaderWriter,
  ): Promise<ClientView & { secret?: string }> {
    const { client, secret } = await this.clients.create(jsonBody(request), request.adminClientId);
    noStore(reply).header('location', clientPath(client.clientId));
    return secret === undefined ? client : { ...client, secret };
  }

  @Get(':clientId')
  @ApiOperation({ summary: 'One client, with its secrets (never a hash)' })
  @ApiOkResponse({ type: ClientViewSchema })
  @ApiProblems({ ...AdminAccessProblems, 404: 'no such client' })
  async show(
    @Param('clientId') clientId: string,
    @Res({ passthrough: true }) reply: HeaderWriter,
  ): Promise<ClientView> {
    noStore(reply);
    return this.clients.show(clientId);
  }

  @Patch(':clientId')
  @ApiOperation({ summary: 'Change a database client; what is left out stays' })
  @ApiBody({ type: UpdateClientInput })
  @ApiOkResponse({ type: ClientViewSchema })
  @ApiProblems({
    ...AdminAccessProblems,
    400: 'invalid input, each problem with its path',
    404: 'no such client',
    409: 'a configuration-file client: edit the file',
    415: 'not application/json',
  })
  async update(
    @Param('clientId') clientId: string,
    @Req() request: AdminRequest,
    @Res({ passthrough: true }) reply: HeaderWriter,
  ): Promise<ClientView> {
    const client = await this.clients.update(clientId, jsonBody(request), request.adminClientId);
    noStore(reply);
    return client;
  }

  @Delete(':clientId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a database client and its secrets' })
  @ApiNoContentResponse()
  @ApiProblems({
    ...AdminAccessProblems,
    404: 'no such client',
    409: 'a configuration-file client',
  })
  async delete(
    @Param('clientId') clientId: string,
    @Req() request: AdminRequest,
    @Res({ passthrough: true }) reply: HeaderWriter,
  ): Promise<void> {
    await this.clients.delete(clientId, request.adminClientId);
    noStore(reply);
  }

  /** 201 with the secret's id and dates, and the secret itself when the server generated it. */
  @Post(':clientId/secrets')
  @HttpCode(201)
  @ApiOperation({ summary: 'Add a secret: generated unless given' })
  @ApiBody({ type: SecretInput, required: false })
  @ApiCreatedResponse({ type: AddedSecretSchema, description: 'With `Location`.' })
  @ApiProblems({
    ...AdminAccessProblems,
    400: 'invalid input',
    404: 'no such client',
    409: 'a configuration-file client',
    415: 'not application/json',
  })
  async addSecret(
    @Param('clientId') clientId: string,
    @Req() request: AdminRequest,
    @Res({ passthrough: true }) reply: HeaderWriter,
  ): Promise<AddedSecret> {
    const added = await this.clients.addSecret(
      clientId,
      jsonBody(request, { optional: true }),
      request.adminClientId,
    );
    noStore(reply).header('location', `${clientPath(clientId)}/secrets/${added.id}`);
    return added;
  }

  @Delete(':clientId/secrets/:secretId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a secret by its id' })
  @ApiNoContentResponse()
  @ApiProblems({
    ...AdminAccessProblems,
    404: 'no such client or secret',
    409: 'a configuration-file client',
  })
  async removeSecret(
    @Param('clientId') clientId: string,
    @Param('secretId') secretId: string,
    @Req() request: AdminRequest,
    @Res({ passthrough: true }) reply: HeaderWriter,
  ): Promise<void> {
    await this.clients.removeSecret(clientId, secretId, request.adminClientId);
    noStore(reply);
  }
}

function clientPath(clientId: string): string {
  return `${ADMIN_CLIENTS_PATH}/${encodeURIComponent(clientId)}`;
}

/**
 * The parsed JSON body. Another media type is 415; malformed JSON 400; nested deeper than
 * MAX_JSON_DEPTH 400, whether our parser (JsonTooDeep) or the host's parsed it (a host app
 * that mounts the authority with its own parser, which refuses malformed JSON itself with a
 * 400). With `optional`, a request without a body counts as `{}` (a generated secret with no
 * description or expiration).
 */
function jsonBody(request: AdminRequest, { optional = false } = {}): unknown {
  const body: unknown = request.body;
  if (body instanceof UnparsableJson) throw AdminRequestProblem.unparsableBody(body.reason);
  if (body instanceof JsonTooDeep) throw AdminRequestProblem.nestedTooDeep(body.maxDepth);
  if (body === undefined && optional) return {};
  const mediaType = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json') throw AdminRequestProblem.unsupportedMediaType();
  if (valueNestsDeeperThan(body, MAX_JSON_DEPTH))
    throw AdminRequestProblem.nestedTooDeep(MAX_JSON_DEPTH);
  return body;
}

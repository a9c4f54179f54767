import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake authority received. */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export type Answer = (request: ReceivedRequest, response: ServerResponse) => void;

/** An answer with a JSON body. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): Answer {
  return (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(body));
  };
}

/** A token response whose token is `token-<n>`, n counting the token requests. */
export function issueTokens(expiresIn: number | undefined = 3600): Answer {
  let issued = 0;
  return (request, response) =>
    json(200, { access_token: `token-${++issued}`, token_type: 'Bearer', expires_in: expiresIn })(
      request,
      response,
    );
}

/**
 * A local HTTP server standing in for an authority (discovery and token endpoint) or a resource
 * server: answers each path as told, and records every request, to count them.
 */
export class FakeServer {
  readonly requests: ReceivedRequest[] = [];
  private readonly answers = new Map<string, Answer>();
  private readonly server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      const received = {
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body,
      };
      this.requests.push(received);
      const answer = this.answers.get(received.path) ?? json(404, { error: 'not_found' });
      answer(received, response);
    });
  });

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Answers `path` with `answer` from now on. */
  on(path: string, answer: Answer): this {
    this.answers.set(path, answer);
    return this;
  }

  /** Publishes discovery metadata naming this server as the issuer and its `/token` endpoint. */
  withDiscovery(): this {
    return this.on('/.well-known/openid-configuration', (request, response) =>
      json(200, { issuer: this.url, token_endpoint: `${this.url}/token` })(request, response),
    );
  }

  requestsTo(path: string): ReceivedRequest[] {
    return this.requests.filter((request) => request.path === path);
  }

  async start(): Promise<this> {
    await new Promise<void>((done) => this.server.listen(0, '127.0.0.1', done));
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((done) => this.server.close(() => done()));
  }
}

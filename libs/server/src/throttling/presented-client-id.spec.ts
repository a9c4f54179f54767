import type { FastifyRequest } from 'fastify';
import { FormBody } from '../http/form-body';
import { presentedClientId } from './presented-client-id';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

function request(form: Record<string, string>): FastifyRequest {
  return {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: FormBody.parse(new URLSearchParams(form).toString()),
  } as unknown as FastifyRequest;
}

describe('presentedClientId (what the throttles count per client)', () => {
  it('is the client_id of a form-authenticated request', () => {
    expect(presentedClientId(request({ client_id: 'svc', client_secret: 's' }))).toBe('svc');
  });

  it('is undefined, never an error, for an unreadable assertion that names no client', () => {
    const unreadable = request({ client_assertion_type: ASSERTION_TYPE, client_assertion: 'x' });
    expect(presentedClientId(unreadable)).toBeUndefined();
  });

  it('is the client_id sent with an unreadable assertion, so the failure counts against it', () => {
    const unreadable = request({
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: 'x',
      client_id: 'svc',
    });
    expect(presentedClientId(unreadable)).toBe('svc');
  });
});

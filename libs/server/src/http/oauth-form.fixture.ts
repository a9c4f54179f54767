import { FormBody } from './form-body';
import { OAuthForm } from './oauth-form';

/** A OAuthForm as the Fastify form parser would produce it, for unit specs. */
export function oauthForm(form: string, authorization?: string): OAuthForm {
  return OAuthForm.from({
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization },
    body: FormBody.parse(form),
  });
}

export function basic(clientId: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}`;
}

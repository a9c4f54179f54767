import { Controller, Get, Logger, UseGuards } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Public, TokenClaims, type AccessTokenClaims } from '@nest-identity/jwt-bearer';
import { FakeAuthority, TestDPoPKey } from '@nest-identity/jwt-bearer/testing';
import { compileResourceServer } from './resource-server.fixture';

/** The same handler behind the global JwtAuthGuard and behind passport's AuthGuard('jwt-bearer'). */
@Controller()
class ClaimsController {
  @Get('guarded')
  guarded(@TokenClaims() claims: AccessTokenClaims): AccessTokenClaims {
    return claims;
  }

  @Get('passport')
  @Public()
  @UseGuards(AuthGuard('jwt-bearer'))
  passport(@TokenClaims() claims: AccessTokenClaims): AccessTokenClaims {
    return claims;
  }
}

describe("JwtStrategy: AuthGuard('jwt-bearer') answers as JwtAuthGuard does", () => {
  let authority: FakeAuthority;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    authority = await FakeAuthority.start();
    const moduleRef = await compileResourceServer([ClaimsController], {
      authority: authority.issuer,
      dpop: { challengeWithoutToken: true },
    });
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(async () => {
    await app.close();
    await authority.close();
  });

  async function bothAnswer(
    headers: Record<string, string> | ((url: string) => Record<string, string>),
  ) {
    const [guarded, passport] = await Promise.all(
      ['/guarded', '/passport'].map((url) =>
        app.inject({ url, headers: typeof headers === 'function' ? headers(url) : headers }),
      ),
    );
    const answer = (response: typeof guarded) => ({
      status: response.statusCode,
      challenge: response.headers['www-authenticate'],
      body: response.body,
    });
    expect(answer(passport)).toEqual(answer(guarded));
    return answer(passport);
  }

  it('a valid token: 200 with its claims as the user', async () => {
    const token = authority.signAccessToken();
    const answer = await bothAnswer({ authorization: `Bearer ${token}` });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ aud: 'api1' });
  });

  it.each([
    ['no token', {}],
    ['an expired token', { claims: { exp: Math.floor(Date.now() / 1000) - 3600 } }],
    ['a forged signature', { key: undefined, claims: { scope: 'admin' }, forge: true }],
  ])('%s: the same refusal, challenge and body', async (_case, changes) => {
    let headers: Record<string, string> = {};
    if ('claims' in changes) {
      let token = authority.signAccessToken({ claims: changes.claims });
      if ('forge' in changes) {
        const [header, , signature] = authority.signAccessToken().split('.');
        token = `${header}.${token.split('.')[1]}.${signature}`;
      }
      headers = { authorization: `Bearer ${token}` };
    }
    expect((await bothAnswer(headers)).status).toBe(401);
  });

  it('a DPoP-bound token with the DPoP scheme and a proof of another key: the same DPoP challenge', async () => {
    const key = new TestDPoPKey();
    const token = authority.signAccessToken({ claims: { cnf: { jkt: key.jkt } } });
    const other = new TestDPoPKey();
    const answer = await bothAnswer((url) => ({
      authorization: `DPoP ${token}`,
      dpop: other.proof({ htm: 'GET', htu: `http://localhost:80${url}`, accessToken: token }),
    }));
    expect(answer.status).toBe(401);
    expect(answer.challenge).toMatch(
      /^DPoP error="invalid_token", error_description="the token is not bound to the DPoP proof key"/,
    );
  });
});

import { PATH_METADATA } from '@nestjs/common/constants';
import type { ClassConstructor } from 'class-transformer';
import { getMetadataStorage } from 'class-validator';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  IdentityEnvironment,
  OAuthPaths,
  ServerEnvironment,
  WeatherApiEnvironment,
  definedEnvironment,
  validateWith,
} from '@nest-identity/shared';
import { HealthEndpoints } from '@nest-identity/shared/hosting';
import { identityWorkers } from '../../libs/server/src/cluster';
import {
  ROOT,
  allStrings,
  finalStage,
  healthcheckUrl,
  publishedPort,
  readComposeFile,
  readDockerfile,
  readEnvExample,
  readNginxUpstreams,
  readRepoFile,
  variableReferences,
  withDefaults,
  type ComposeFile,
  type ComposeService,
} from './deployment-files';

/*
 * No Docker engine runs where this project is built and tested, so docker-compose.yml, the
 * Dockerfile, the proxy's configuration and .env.example are checked here against what the apps
 * really read: their configuration schema, their health routes, their npm start scripts.
 */

/** An app's environment schema: every app has a PORT. */
type Schema = ClassConstructor<ServerEnvironment & { PORT: number }>;

interface App {
  readonly name: string;
  readonly schema: Schema;
  /** The package.json script whose command a service of this app runs. */
  readonly script: string;
  /** Read by the app outside its schema, with the check the app applies. */
  readonly runtimeVariables: Readonly<
    Record<string, { default: string; check(value: string): void }>
  >;
}

const APPS: readonly App[] = [
  {
    name: 'identity',
    schema: IdentityEnvironment,
    script: 'start:identity',
    runtimeVariables: { IDENTITY_WORKERS: { default: '1', check: (v) => identityWorkers(v) } },
  },
  {
    name: 'weather-api',
    schema: WeatherApiEnvironment,
    script: 'start:weather-api',
    runtimeVariables: {},
  },
];
const [IDENTITY, WEATHER_API] = APPS;

const PROXY_CONFIG = 'deploy/nginx/identity-replicas.conf';
const REPLICAS_PROFILE = 'replicas';
const DEPENDENCY_CONDITIONS = [
  'service_started',
  'service_healthy',
  'service_completed_successfully',
];

/** The properties a schema validates (its own and inherited). */
function schemaVariables(schema: Schema | typeof ServerEnvironment): string[] {
  const names = getMetadataStorage()
    .getTargetValidationMetadatas(schema, '', true, false)
    .map((metadata) => metadata.propertyName);
  return [...new Set(names)].sort();
}

/** What the app reads: its schema and its runtime variables. */
function appVariables(app: App): string[] {
  return [...schemaVariables(app.schema), ...Object.keys(app.runtimeVariables)].sort();
}

/**
 * The schema's default of each variable, as the string an environment would hold ('' if none; a
 * list comma-separated).
 */
function schemaDefault(app: App, variable: string): string {
  const runtime = app.runtimeVariables[variable];
  if (runtime) return runtime.default;
  const value = (new app.schema() as unknown as Record<string, unknown>)[variable];
  if (Array.isArray(value)) return value.join(',');
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

const scripts = (JSON.parse(readRepoFile('package.json')) as { scripts: Record<string, string> })
  .scripts;

function servicesOf(compose: ComposeFile, app: App): [string, ComposeService][] {
  return Object.entries(compose.services).filter(
    ([, service]) => service.command?.join(' ') === scripts[app.script],
  );
}

function environmentOf(service: ComposeService): Record<string, string> {
  return Object.fromEntries(
    Object.entries(service.environment ?? {}).map(([name, value]) => [name, withDefaults(value)]),
  );
}

/** The PORT the app listens on with this service's environment (its default if unset). */
function portOf(app: App, s: ComposeService): number {
  return Number(environmentOf(s).PORT || schemaDefault(app, 'PORT'));
}

function service(compose: ComposeFile, name: string): ComposeService {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
}

/** The paths HealthEndpoints really serves, from its route metadata. */
function healthPaths(): string[] {
  const prototype = HealthEndpoints.prototype as unknown as Record<string, object>;
  return Object.getOwnPropertyNames(prototype)
    .map((method) => Reflect.getMetadata(PATH_METADATA, prototype[method]) as unknown)
    .filter((path): path is string => typeof path === 'string')
    .map((path) => `/${path.replace(/^\//, '')}`);
}

function problemsOf(check: () => void): string[] {
  try {
    check();
    return [];
  } catch (error) {
    return [error instanceof Error ? error.message : String(error)];
  }
}

describe('docker-compose.yml, the Dockerfile and .env.example agree with the apps', () => {
  const compose = readComposeFile();
  const identities = servicesOf(compose, IDENTITY);
  const weatherApis = servicesOf(compose, WEATHER_API);
  const replicas = identities.filter(([, s]) => s.profiles?.includes(REPLICAS_PROFILE));

  it('runs each app with its npm start script, from the image the Dockerfile builds', () => {
    expect(identities.map(([name]) => name)).toContain('identity');
    expect(weatherApis.map(([name]) => name)).toEqual(['weather-api']);
    const built = Object.entries(compose.services).filter(([, s]) => s.build !== undefined);
    const apps = [...identities, ...weatherApis];
    expect(built.map(([name]) => name).sort()).toEqual(apps.map(([name]) => name).sort());
  });

  it('gives every variable reference a default, so compose works without an .env file', () => {
    const missing = allStrings(compose).flatMap(({ path, value }) =>
      variableReferences(value)
        .filter((reference) => reference.default === undefined)
        .map((reference) => `${path}: \${${reference.name}} has no default`),
    );
    expect(missing).toEqual([]);
  });

  it('gives one variable the same default wherever it is referenced', () => {
    const defaults = new Map<string, Set<string>>();
    for (const { value } of allStrings(compose)) {
      for (const { name, default: fallback = '' } of variableReferences(value)) {
        defaults.set(name, (defaults.get(name) ?? new Set()).add(fallback));
      }
    }
    const conflicting = [...defaults].filter(([, values]) => values.size > 1);
    expect(conflicting.map(([name, values]) => `${name}: ${[...values].join(' | ')}`)).toEqual([]);
  });

  describe.each(APPS)('$name services', (app) => {
    const services = servicesOf(compose, app);

    it('set only variables the app reads', () => {
      const known = new Set(appVariables(app));
      const unknown = services.flatMap(([name, s]) =>
        Object.keys(s.environment ?? {})
          .filter((variable) => !known.has(variable))
          .map((variable) => `${name}: ${variable} is not read by ${app.name}`),
      );
      expect(unknown).toEqual([]);
    });

    it("set values the app's own validation accepts (with compose's defaults)", () => {
      const problems = services.flatMap(([name, s]) => {
        const env = environmentOf(s);
        const schemaEnv = Object.fromEntries(
          Object.entries(env).filter(([variable]) => !(variable in app.runtimeVariables)),
        );
        return [
          ...problemsOf(() => validateWith(app.schema, definedEnvironment(schemaEnv), name)),
          ...Object.entries(app.runtimeVariables)
            .filter(([variable]) => env[variable])
            .flatMap(([variable, { check }]) => problemsOf(() => check(env[variable]))),
        ];
      });
      expect(problems).toEqual([]);
    });

    it('publish the port the app listens on (PORT)', () => {
      const problems = services.flatMap(([name, s]) => {
        const port = portOf(app, s);
        return (s.ports ?? [])
          .map(publishedPort)
          .filter(({ container }) => container !== port)
          .map(({ container }) => `${name} publishes container port ${container}, PORT is ${port}`);
      });
      expect(problems).toEqual([]);
      // Replicas are reached through the proxy only; the others from the host.
      for (const [name, s] of services) {
        expect({ name, published: (s.ports ?? []).length > 0 }).toEqual({
          name,
          published: !replicas.some(([replica]) => replica === name),
        });
      }
    });

    it('probe /health/ready on their own PORT, so dependents wait until the app can serve', () => {
      const probes = services.map(([name, s]) => ({ name, url: healthcheckUrl(s)?.href }));
      const expected = services.map(([name, s]) => ({
        name,
        url: `http://127.0.0.1:${portOf(app, s)}${OAuthPaths.Health}/ready`,
      }));
      expect(probes).toEqual(expected);
      expect(healthPaths()).toContain(`${OAuthPaths.Health}/ready`);
    });
  });

  it('probes every service, HTTP probes only on paths the apps serve', () => {
    const served = healthPaths();
    expect(served).toEqual(
      expect.arrayContaining([OAuthPaths.Health, `${OAuthPaths.Health}/live`]),
    );
    const problems = Object.entries(compose.services).flatMap(([name, s]) => {
      if (!s.healthcheck?.test?.length) return [`${name} has no healthcheck`];
      const url = healthcheckUrl(s);
      return url && !served.includes(url.pathname)
        ? [`${name} probes ${url.pathname}, which no app serves`]
        : [];
    });
    expect(problems).toEqual([]);
  });

  it("gives the weather-api the identity's ISSUER as AUTHORITY, reachable in the network", () => {
    const issuer = environmentOf(service(compose, 'identity')).ISSUER;
    const authority = environmentOf(service(compose, 'weather-api')).AUTHORITY;
    expect(authority).toBe(issuer);
    // The raw values too: an ISSUER set in .env must move both.
    expect(service(compose, 'weather-api').environment?.AUTHORITY).toBe(
      service(compose, 'identity').environment?.ISSUER,
    );
    const url = new URL(issuer);
    expect(url.hostname).toBe('identity');
    expect(Number(url.port)).toBe(Number(environmentOf(service(compose, 'identity')).PORT));
  });

  it('lets Swagger UI on the host get a token from the identity on the host', () => {
    const identityHostPort = publishedPort(service(compose, 'identity').ports?.[0] ?? '').host;
    const apiHostPort = publishedPort(service(compose, 'weather-api').ports?.[0] ?? '').host;
    const origins = environmentOf(service(compose, 'identity')).CORS_ORIGINS.split(',');
    expect(origins.map((origin) => origin.trim())).toContain(`http://localhost:${apiHostPort}`);
    expect(environmentOf(service(compose, 'weather-api')).OPENAPI_TOKEN_URL).toBe(
      `http://localhost:${identityHostPort}${OAuthPaths.Token}`,
    );
  });

  it('keeps the identity in PostgreSQL, on a named volume, once PostgreSQL is ready', () => {
    const postgres = service(compose, 'postgres');
    const pg = postgres.environment ?? {};
    for (const [name, s] of identities) {
      const url = new URL(environmentOf(s).DATABASE_URL);
      expect({ name, host: url.hostname, port: url.port }).toEqual({
        name,
        host: 'postgres',
        port: '5432',
      });
      // The raw strings: whatever .env sets, the identity logs in with PostgreSQL's credentials.
      expect(s.environment?.DATABASE_URL).toBe(
        `postgres://${pg.POSTGRES_USER}:${pg.POSTGRES_PASSWORD}@postgres:5432/${pg.POSTGRES_DB}`,
      );
      expect(s.depends_on?.postgres?.condition).toBe('service_healthy');
    }
    const [volume] = (postgres.volumes ?? []).map((v) => v.split(':'));
    expect(volume?.[1]).toBe('/var/lib/postgresql/data');
    expect(Object.keys(compose.volumes ?? {})).toContain(volume?.[0]);
    expect(postgres.healthcheck?.test).toEqual(
      expect.arrayContaining(['pg_isready', '-h', pg.POSTGRES_USER, pg.POSTGRES_DB]),
    );
  });

  it('bakes no credential into the compose file: each comes from the environment', () => {
    const credentials = ['POSTGRES_PASSWORD', 'IDENTITY_KEY_ENCRYPTION_KEY'];
    const problems = Object.entries(compose.services).flatMap(([name, s]) =>
      Object.entries(s.environment ?? {})
        .filter(([variable]) => credentials.includes(variable))
        .filter(([variable, value]) => value !== `\${${variable}:-${withDefaults(value)}}`)
        .map(([variable]) => `${name}: ${variable} is not read from the environment`),
    );
    expect(problems).toEqual([]);
  });

  describe(`profile ${REPLICAS_PROFILE}`, () => {
    it('runs two identity replicas that are one issuer: same ISSUER, database, keys, config', () => {
      expect(replicas).toHaveLength(2);
      const shared = ['ISSUER', 'DATABASE_URL', 'IDENTITY_KEY_ENCRYPTION_KEY', 'IDENTITY_CONFIG'];
      for (const variable of shared) {
        const values = identities.map(([, s]) => s.environment?.[variable]);
        expect({ variable, values: new Set(values).size }).toEqual({ variable, values: 1 });
      }
      for (const [, s] of replicas) expect(s.environment?.ISSUER).toBeDefined();
    });

    it('shares the replicas’ rate-limit counters in Redis and trusts the proxy’s one hop', () => {
      const redis = service(compose, 'redis');
      expect(redis.profiles).toContain(REPLICAS_PROFILE);
      for (const [name, s] of replicas) {
        const env = environmentOf(s);
        expect({ name, redis: new URL(env.REDIS_URL).hostname }).toEqual({ name, redis: 'redis' });
        expect({ name, trust: env.IDENTITY_TRUST_PROXY }).toEqual({ name, trust: '1' });
        expect(s.depends_on?.redis?.condition).toBe('service_healthy');
      }
    });

    it('serves them through the proxy, whose configuration names exactly the replicas', () => {
      const proxy = service(compose, 'identity-proxy');
      expect(proxy.profiles).toContain(REPLICAS_PROFILE);
      const mount = (proxy.volumes ?? []).find((v) => v.startsWith(`./${PROXY_CONFIG}:`));
      expect(mount).toBe(`./${PROXY_CONFIG}:/etc/nginx/conf.d/default.conf:ro`);
      expect(existsSync(join(ROOT, PROXY_CONFIG))).toBe(true);

      const nginx = readNginxUpstreams(PROXY_CONFIG);
      const expected = replicas.map(([name, s]) => `${name}:${environmentOf(s).PORT}`);
      expect(nginx.servers.sort()).toEqual(expected.sort());

      const published = (proxy.ports ?? []).map(publishedPort);
      expect(published.map(({ container }) => container)).toEqual(nginx.listen);
      expect(healthcheckUrl(proxy)?.port).toBe(String(nginx.listen[0]));
      for (const [replica] of replicas) {
        expect(proxy.depends_on?.[replica]?.condition).toBe('service_healthy');
      }
    });
  });

  it('waits only on services that exist, in the same or a wider profile, with real conditions', () => {
    const problems = Object.entries(compose.services).flatMap(([name, s]) =>
      Object.entries(s.depends_on ?? {}).flatMap(([dependency, { condition }]) => {
        const target = compose.services[dependency];
        if (!target) return [`${name} depends on ${dependency}, which does not exist`];
        const found: string[] = [];
        if (!condition || !DEPENDENCY_CONDITIONS.includes(condition)) {
          found.push(`${name} → ${dependency}: condition ${condition}`);
        }
        if (condition === 'service_healthy' && !target.healthcheck) {
          found.push(`${name} waits for ${dependency} to be healthy, which has no healthcheck`);
        }
        // `docker compose up` without the profile would fail on a dependency it does not start.
        const unstarted = (target.profiles ?? []).filter((p) => !(s.profiles ?? []).includes(p));
        if (unstarted.length > 0) {
          found.push(`${name} depends on ${dependency}, only in profile ${unstarted.join(', ')}`);
        }
        return found;
      }),
    );
    expect(problems).toEqual([]);
  });

  describe('the Dockerfile', () => {
    const instructions = readDockerfile();
    const runtime = finalStage(instructions);

    it('runs the final image as an unprivileged user', () => {
      const users = runtime.filter((i) => i.keyword === 'USER').map((i) => i.args);
      expect(users.length).toBeGreaterThan(0);
      expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
    });

    it('is multi-stage: the final image gets built files, not a compiler or dev dependencies', () => {
      expect(instructions.filter((i) => i.keyword === 'FROM').length).toBeGreaterThan(1);
      expect(runtime[0].args).toMatch(/^node:20-bookworm-slim\b/);
      const runs = runtime.filter((i) => i.keyword === 'RUN').map((i) => i.args);
      expect(runs.join('\n')).not.toMatch(/apt-get install|npm (ci|install)(?!.*--omit=dev)/);
      expect(runtime.filter((i) => i.keyword === 'COPY').map((i) => i.args)).toEqual(
        expect.arrayContaining([expect.stringMatching(/--from=\S+ \/app\/dist/)]),
      );
      expect(runtime).toContainEqual({ keyword: 'ENV', args: 'NODE_ENV=production' });
    });

    it('bakes in no secret and keeps .env files out of the build context', () => {
      const settings = instructions
        .filter((i) => i.keyword === 'ENV' || i.keyword === 'ARG')
        .map((i) => i.args);
      expect(settings.filter((s) => /PASSWORD|SECRET|TOKEN|_KEY\b|DATABASE_URL/i.test(s))).toEqual(
        [],
      );
      const ignored = readRepoFile('.dockerignore').split('\n');
      expect(ignored).toEqual(expect.arrayContaining(['.env', '.env.*', '.git', 'node_modules']));
    });

    it('makes sure better-sqlite3 loads in the image it was installed for', () => {
      const runs = instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
      expect(runs).toContainEqual(
        expect.stringMatching(/npm ci --omit=dev.*require\('better-sqlite3'\)/),
      );
    });
  });

  describe('.env.example', () => {
    const sections = readEnvExample();
    const serverVariables = schemaVariables(ServerEnvironment);
    const ownVariables = (app: App) =>
      appVariables(app).filter((variable) => !serverVariables.includes(variable));
    const composeOnly = [
      ...new Set(allStrings(compose).flatMap(({ value }) => variableReferences(value))),
    ]
      .map(({ name }) => name)
      .filter((name) => !APPS.some((app) => appVariables(app).includes(name)));

    it('lists exactly what each app reads, what both read, and what only compose reads', () => {
      const listed = (section: string) => [...(sections.get(section)?.keys() ?? [])].sort();
      expect([...sections.keys()]).toEqual([
        'identity',
        'both apps',
        'weather-api',
        'docker compose only',
      ]);
      expect(listed('identity')).toEqual(ownVariables(IDENTITY));
      expect(listed('weather-api')).toEqual(ownVariables(WEATHER_API));
      expect(listed('both apps')).toEqual(serverVariables);
      expect(listed('docker compose only')).toEqual([...new Set(composeOnly)].sort());
    });

    it("shows each variable's default: the app's own, or compose's for compose's variables", () => {
      const wrong: string[] = [];
      const compare = (section: string, expected: (name: string) => string) => {
        for (const [name, value] of sections.get(section) ?? []) {
          if (value !== expected(name))
            wrong.push(`${section}: ${name}=${value}, not ${expected(name)}`);
        }
      };
      compare('identity', (name) => schemaDefault(IDENTITY, name));
      compare('weather-api', (name) => schemaDefault(WEATHER_API, name));
      compare('both apps', (name) => schemaDefault(IDENTITY, name));
      const composeDefaults = new Map(
        allStrings(compose)
          .flatMap(({ value }) => variableReferences(value))
          .map(({ name, default: fallback = '' }) => [name, fallback]),
      );
      compare('docker compose only', (name) => composeDefaults.get(name) ?? '');
      expect(wrong).toEqual([]);
    });

    it('ships with every line commented out, so copying it to .env changes nothing', () => {
      const active = readRepoFile('.env.example')
        .split('\n')
        .filter((line) => line.trim() !== '' && !line.startsWith('#'));
      expect(active).toEqual([]);
    });
  });
});

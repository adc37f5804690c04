import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repositoryRoot } from './repository.js';
import {
  checkServiceEnvironment,
  COMMON_VARIABLES,
  SERVICE_CONFIGS,
  SERVICE_NAMES,
  type ServiceName,
} from './service-configs.js';

interface ComposeService {
  image?: string;
  build?: { context: string; args?: Record<string, string> };
  command?: string[];
  ports?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  volumes?: string[];
  restart?: string;
}

const compose = parse(readFileSync(join(repositoryRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
};
const services = compose.services;
const INFRASTRUCTURE = ['nats', 'postgres', 'prometheus', 'registry'];

/** `${NAME:?message}`, `${NAME:-default}` and `${NAME}` as compose substitutes them from `given`. */
function interpolate(value: string, given: Record<string, string>): string {
  return value.replace(
    /\$\{([A-Z0-9_]+)(?::([?-])([^}]*))?\}/g,
    (_all, name: string, kind?: string, rest?: string) => {
      if (given[name]) return given[name];
      if (kind === '?') throw new Error(`compose would refuse to start without ${name}: ${rest}`);
      return kind === '-' ? (rest ?? '') : '';
    },
  );
}

const environmentOf = (name: string, given: Record<string, string> = {}) =>
  Object.fromEntries(
    Object.entries(services[name]?.environment ?? {}).map(([key, value]) => [
      key,
      interpolate(String(value), given),
    ]),
  );

/** host port -> container port */
const publishedPorts = (service: ComposeService) =>
  (service.ports ?? []).map((port) => {
    const [host, container] = port.split(':');
    return { host: Number(host), container: Number(container) };
  });

describe('docker-compose.yml', () => {
  it('runs NATS, PostgreSQL, Prometheus, a registry and the seven services', () => {
    expect(Object.keys(services).sort()).toEqual([...INFRASTRUCTURE, ...SERVICE_NAMES].sort());
  });

  it('starts NATS with JetStream, and every piece of infrastructure with a health check', () => {
    expect(services['nats']!.command).toEqual(expect.arrayContaining(['-js']));
    for (const name of INFRASTRUCTURE)
      expect({ name, test: services[name]!.healthcheck?.test.length }).toEqual({
        name,
        test: expect.any(Number),
      });
  });

  it.each(SERVICE_NAMES)(
    'builds the %s from the Dockerfile with SERVICE, checks its health, and waits for what it needs',
    (name) => {
      const service = services[name]!;
      expect(service.build).toEqual({ context: '.', args: { SERVICE: name } });
      expect(service.healthcheck?.test.join(' ')).toMatch(/http:\/\/127\.0\.0\.1:8080\/health'/);
      expect(service.restart).toBe('unless-stopped');
      expect(service.depends_on).toMatchObject({
        nats: { condition: 'service_healthy' },
        postgres: { condition: 'service_healthy' },
      });
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(INFRASTRUCTURE).toContain(dependency);
        expect({ dependency, condition, check: services[dependency]!.healthcheck !== undefined }).toEqual({
          dependency,
          condition: 'service_healthy',
          check: true,
        });
      }
    },
  );

  it('publishes each service on its own port (the gateway on 8080), all listening on 8080 inside', () => {
    const hostPorts = Object.values(services).flatMap((s) => publishedPorts(s).map((p) => p.host));
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
    expect(publishedPorts(services['gateway']!)).toEqual([{ host: 8080, container: 8080 }]);
    for (const name of SERVICE_NAMES) {
      expect(environmentOf(name, { AVIARY_SECRET_KEY: 'x' })['PORT']).toBe('8080');
      expect(publishedPorts(services[name]!)[0]!.container).toBe(8080);
    }
  });

  it.each(SERVICE_NAMES)(
    'gives the %s an environment it starts with, and only variables it reads',
    (name: ServiceName) => {
      const env = environmentOf(name, { AVIARY_SECRET_KEY: Buffer.alloc(32, 7).toString('base64') });
      expect(() => checkServiceEnvironment(name, env)).not.toThrow();
      const known = new Set([...COMMON_VARIABLES, ...SERVICE_CONFIGS[name].variables]);
      expect(Object.keys(env).filter((variable) => !known.has(variable))).toEqual([]);
    },
  );

  it('refuses to start the gateway without AVIARY_SECRET_KEY', () => {
    expect(() => environmentOf('gateway')).toThrow(/without AVIARY_SECRET_KEY/);
  });

  it('points every service at the NATS and PostgreSQL it runs, with the credentials PostgreSQL was given', () => {
    const postgres = services['postgres']!.environment!;
    for (const name of SERVICE_NAMES) {
      const env = environmentOf(name, { AVIARY_SECRET_KEY: 'x' });
      expect(env['NATS_URL']).toBe('nats://nats:4222');
      const database = new URL(env['DATABASE_URL']!);
      expect([database.hostname, database.username, database.password, database.pathname]).toEqual([
        'postgres',
        postgres['POSTGRES_USER'],
        postgres['POSTGRES_PASSWORD'],
        `/${postgres['POSTGRES_DB']}`,
      ]);
    }
  });

  it('wires the builder to the registry, the canary to Prometheus, and the deployer to local processes', () => {
    expect(environmentOf('builder')['BUILDER_REGISTRY']).toBe('registry:5000');
    expect(publishedPorts(services['registry']!)).toEqual([{ host: 5000, container: 5000 }]);
    expect(environmentOf('canary')['CANARY_PROMETHEUS_URL']).toBe('http://prometheus:9090');
    expect(publishedPorts(services['prometheus']!)).toEqual([{ host: 9090, container: 9090 }]);
    const targets = JSON.parse(environmentOf('deployer')['DEPLOYER_TARGETS']!) as Record<
      string,
      { kind: string; advertiseHost?: string }
    >;
    expect(targets['*']).toMatchObject({ kind: 'local', advertiseHost: 'deployer' });
  });

  it('has Prometheus scrape the seven services and find the deployed applications at the deployer', () => {
    const mount = services['prometheus']!.volumes!.find((v) =>
      v.endsWith(':/etc/prometheus/prometheus.yml:ro'),
    )!;
    const config = parse(readFileSync(join(repositoryRoot, mount.split(':')[0]!), 'utf8')) as {
      scrape_configs: Array<{
        job_name: string;
        static_configs?: Array<{ targets: string[] }>;
        http_sd_configs?: Array<{ url: string }>;
      }>;
    };
    const aviary = config.scrape_configs.find((job) => job.job_name === 'aviary')!;
    expect(aviary.static_configs!.flatMap((c) => c.targets)).toEqual(
      SERVICE_NAMES.map((name) => `${name}:8080`),
    );
    const applications = config.scrape_configs.find((job) => job.http_sd_configs)!;
    expect(applications.http_sd_configs).toEqual([
      expect.objectContaining({ url: 'http://deployer:8080/api/v1/local/targets' }),
    ]);
  });

  it('declares every named volume it mounts', () => {
    const named = Object.values(services)
      .flatMap((s) => s.volumes ?? [])
      .map((v) => v.split(':')[0]!)
      .filter((source) => !source.startsWith('.'));
    expect(named.filter((v) => !(v in compose.volumes))).toEqual([]);
  });
});

// docker-compose.yml, deploy/Caddyfile and deploy/haproxy.cfg, checked for what a multi-instance
// deployment needs (no Docker daemon is at hand to run `docker compose config`): one PostgreSQL
// 16+, at least two app instances built from the Dockerfile with the same settings, Caddy in front
// of every instance with health checks, HAProxy in front of every SMTP intake with the PROXY
// protocol, and each proxy the only one its instances trust.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../server/config';

const ROOT = path.join(__dirname, '..', '..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

interface Service {
  image?: string;
  build?: string;
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  healthcheck?: { test: string[] };
  networks?: Record<string, { ipv4_address?: string } | null>;
}
const compose = parse(read('docker-compose.yml'), { merge: true }) as {
  services: Record<string, Service>;
  networks: Record<string, { ipam: { config: { subnet: string }[] } }>;
};
const services = compose.services;
const apps = Object.entries(services).filter(([, s]) => s.build === '.');
const addressOf = (name: string) => services[name]!.networks!.intake!.ipv4_address!;
const mounted = (service: Service, target: string) => {
  const volume = service.volumes!.find((v) => v.split(':')[1] === target)!;
  return volume.split(':')[0]!.replace(/^\.\//, '');
};

test('one PostgreSQL 16 or later from the official image', () => {
  const db = Object.values(services).filter((s) => s.image?.startsWith('postgres:'));
  expect(db).toHaveLength(1);
  expect(Number(/^postgres:(\d+)/.exec(db[0]!.image!)![1])).toBeGreaterThanOrEqual(16);
});

test('at least two app instances, built from the Dockerfile, with one and the same configuration', () => {
  expect(apps.length).toBeGreaterThanOrEqual(2);
  const [first, ...others] = apps.map(([, s]) => s.environment!);
  for (const env of others) expect(env).toEqual(first);
  expect(first!.DATABASE_URL).toMatch(/@db:5432\//);
  expect(first!.INTAKE_KEY_PASSPHRASE).toMatch(/^\$\{INTAKE_KEY_PASSPHRASE:\?/);
  for (const [, app] of apps) expect(app.healthcheck!.test.join(' ')).toContain('/healthz');
  // The image runs the TypeScript with tsx: it must be a runtime dependency for `npm ci --omit=dev`.
  const dockerfile = read('Dockerfile');
  expect(dockerfile).toMatch(/^FROM node:20/m);
  expect(dockerfile).toContain('npm ci --omit=dev');
  expect(dockerfile).toContain('"--import", "tsx"');
  const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string> };
  expect(Object.keys(pkg.dependencies)).toContain('tsx');
});

test('Caddy proxies HTTP to every instance with health checks, and is the proxy the instances trust', () => {
  const caddy = Object.values(services).find((s) => s.image?.startsWith('caddy:'))!;
  expect(caddy.ports).toEqual(expect.arrayContaining(['80:80', '443:443']));
  const caddyfile = read(mounted(caddy, '/etc/caddy/Caddyfile'));
  const upstreams = /reverse_proxy ([^{]+)\{/.exec(caddyfile)![1]!.trim().split(/\s+/);
  expect(upstreams.sort()).toEqual(apps.map(([name]) => `${name}:8080`).sort());
  expect(caddyfile).toMatch(/health_uri \/healthz/);
  const caddyName = Object.keys(services).find((name) => services[name] === caddy)!;
  for (const [, app] of apps) expect(app.environment!.TRUST_PROXY).toBe(addressOf(caddyName));
});

test('HAProxy takes port 25 to every SMTP intake with the PROXY protocol, which the instances accept from it alone', () => {
  const proxy = Object.values(services).find((s) => s.image?.startsWith('haproxy:'))!;
  const proxyName = Object.keys(services).find((name) => services[name] === proxy)!;
  const [published, inside] = proxy.ports![0]!.split(':');
  expect(published).toBe('25');
  const config = read(mounted(proxy, '/usr/local/etc/haproxy/haproxy.cfg'));
  expect(config).toContain(`bind :${inside}`);
  expect(config).toMatch(/default-server .*\bsend-proxy\b.*\bcheck-send-proxy\b/);
  const servers = [...config.matchAll(/^\s*server (\S+) (\S+)$/gm)].map((m) => m[2]);
  for (const [name, app] of apps) {
    expect(servers).toContain(`${name}:${app.environment!.SMTP_PORT}`);
    expect(app.environment!.SMTP_PROXY_FROM).toBe(addressOf(proxyName));
  }
});

test('the fixed addresses lie in the network’s subnet and differ', () => {
  const subnet = compose.networks.intake!.ipam.config[0]!.subnet;
  const prefix = subnet.replace(/\.0\/24$/, '.');
  const fixed = Object.keys(services)
    .map((name) => services[name]!.networks?.intake?.ipv4_address)
    .filter((a): a is string => a !== undefined);
  expect(fixed.length).toBeGreaterThanOrEqual(2);
  expect(new Set(fixed).size).toBe(fixed.length);
  for (const address of fixed) expect(address.startsWith(prefix)).toBe(true);
});

test('the instances’ environment is a configuration the app accepts', () => {
  const sample: Record<string, string> = {
    POSTGRES_PASSWORD: 'a database password',
    PUBLIC_HOST: 'report.example.org',
    INTAKE_KEY_PASSPHRASE: 'a long intake key passphrase',
    MAIL_DOMAIN: 'example.org',
  };
  // Compose's interpolation: ${NAME}, ${NAME:?message}, ${NAME:-default}.
  const interpolate = (value: string) =>
    value.replace(/\$\{(\w+)(?::([?-])([^}]*))?\}/g, (_m, name: string, kind?: string, rest?: string) =>
      name in sample ? sample[name]! : kind === '-' ? (rest ?? '') : '',
    );
  const env = Object.fromEntries(Object.entries(apps[0]![1].environment!).map(([k, v]) => [k, interpolate(String(v))]));
  const config = loadConfig({ ...env, DATA_DIR: '/nonexistent' });
  expect(config.publicUrl).toBe('https://report.example.org');
  expect(config.databaseUrl).toMatch(/^postgres:\/\/intake:/);
  expect(config.mail.proxyFrom).toEqual([addressOf('smtp-proxy')]);
  expect(config.trustProxy).toBe(addressOf('caddy'));
});

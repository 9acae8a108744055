import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadConfig, SETTINGS } from '../../packages/server/src/config.js';
import { freePort } from '../../packages/server/test/support/readiness.js';
import { startTestGateway, type TestGateway } from '../../packages/server/test/support/test-gateway.js';

// The deployment files are configuration nobody runs in CI (no Docker engine, no cluster):
// these checks keep them parseable, consistent with each other and with what the gateway
// really reads, serves and exports.

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string): string => readFileSync(join(root, path), 'utf8');
const inCi = process.env.CI === 'true';

/** The longest drain the gateway takes by default; every stop timeout must exceed it. */
const DRAIN_MS = Number(SETTINGS.find((s) => s.name === 'PRINTERMASTER_SHUTDOWN_TIMEOUT_MS')?.default);
const SETTING_NAMES = new Set(SETTINGS.map((s) => s.name));
/** Environment variables the deployments may set that are not gateway settings. */
const NON_GATEWAY_ENV = new Set(['NODE_OPTIONS']);

function deployFiles(pattern: RegExp): string[] {
  return readdirSync(join(root, 'deploy'), { recursive: true, encoding: 'utf8' })
    .map((p) => `deploy/${p.split('\\').join('/')}`)
    .filter((p) => pattern.test(p))
    .sort();
}

/** Every document of a YAML file, as plain data; `<<` merge keys resolved as compose does. */
function yamlDocuments(path: string): unknown[] {
  return Array.from(parseAllDocuments(read(path), { merge: true }), (doc) => {
    expect(doc.errors.map(String), path).toEqual([]);
    expect(doc.warnings.map(String), path).toEqual([]);
    return doc.toJS() as unknown;
  });
}

function yamlDocument<T>(path: string): T {
  const docs = yamlDocuments(path);
  expect(docs, path).toHaveLength(1);
  return docs[0] as T;
}

/** An executable on PATH, or in the sbin directories a non-root PATH often lacks. */
function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  return dirs.map((d) => join(d, name)).find((p) => p.startsWith('/') && existsSync(p));
}

/** Checks that an environment is one the gateway accepts (NODE_ENV=production checks included). */
function expectAcceptedConfig(env: Record<string, unknown>, where: string): void {
  const strings = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)]));
  expect(() => loadConfig(strings), where).not.toThrow();
  for (const name of Object.keys(strings)) {
    expect(SETTING_NAMES.has(name) || NON_GATEWAY_ENV.has(name), `${where}: ${name} is not a gateway setting`).toBe(
      true,
    );
  }
}

/** Production secrets as an operator would provide them (secrets are never in these files). */
const OPERATOR_SECRETS = {
  DATABASE_URL: 'postgres://printermaster:secret@db.internal:5432/printermaster',
  REDIS_URL: 'redis://redis.internal:6379',
  JWT_SECRET: 'an-operator-secret-of-more-than-thirty-two-characters',
  CORS_ORIGINS: 'https://dashboard.example.com',
};

// ---------------------------------------------------------------------------------------

describe('deploy files parse', () => {
  it('every YAML file parses (multi-document files allowed)', () => {
    const files = deployFiles(/\.ya?ml$/);
    expect(files.length).toBeGreaterThanOrEqual(12);
    for (const file of files) {
      const docs = yamlDocuments(file);
      expect(
        docs.filter((d) => d !== null),
        file,
      ).not.toHaveLength(0);
    }
  });

  it('every JSON file parses', () => {
    const files = deployFiles(/\.json$/);
    expect(files).toContain('deploy/grafana/printermaster-dashboard.json');
    for (const file of files) expect(() => JSON.parse(read(file)), file).not.toThrow();
  });
});

// ---------------------------------------------------------------------------------------

interface Pm2App {
  name: string;
  script: string;
  args: string;
  cwd?: string;
  exec_mode: string;
  instances?: number;
  wait_ready: boolean;
  listen_timeout: number;
  kill_timeout: number;
  env: Record<string, unknown>;
  env_production: Record<string, unknown>;
}

describe('pm2', () => {
  const require = createRequire(import.meta.url);
  const load = (file: string): Pm2App[] => (require(join(root, file)) as { apps: Pm2App[] }).apps;

  it.each(['deploy/pm2/ecosystem.config.cjs', 'deploy/pm2/ecosystem.cluster.config.cjs'])(
    '%s starts `serve` with wait-ready reloads and a kill timeout longer than the drain',
    (file) => {
      const apps = load(file);
      expect(apps.length).toBeGreaterThanOrEqual(1);
      for (const app of apps) {
        expect(app.script).toBe('packages/cli/dist/main.js');
        expect(existsSync(join(app.cwd ?? root, 'packages/cli/src/main.ts')), `${app.name}: cwd is the checkout`).toBe(
          true,
        );
        expect(app.args).toBe('serve');
        // One process: pm2's cluster mode, so a reload overlaps old and new (no gap). Several
        // processes on separate ports behind nginx: fork mode, reloaded one at a time.
        expect(app.exec_mode).toBe(file.endsWith('cluster.config.cjs') ? 'fork' : 'cluster');
        expect(app.instances ?? 1).toBe(1);
        expect(app.wait_ready).toBe(true);
        expect(app.listen_timeout).toBe(10_000);
        expect(app.kill_timeout).toBeGreaterThan(DRAIN_MS);
        expectAcceptedConfig({ ...app.env_production, ...OPERATOR_SECRETS }, `${file} ${app.name} env_production`);
        expectAcceptedConfig(app.env, `${file} ${app.name} env`);
      }
    },
  );

  it('the two-process file runs distinct names, ports and instance ids', () => {
    const apps = load('deploy/pm2/ecosystem.cluster.config.cjs');
    expect(apps.map((a) => a.name)).toEqual(['printermaster', 'printermaster-2']);
    expect(apps.map((a) => Number(a.env_production.PORT))).toEqual([3001, 3002]);
    expect(new Set(apps.map((a) => a.env_production.PRINTERMASTER_INSTANCE_ID)).size).toBe(2);
  });
});

// ---------------------------------------------------------------------------------------

describe('Dockerfile', () => {
  const dockerfile = read('deploy/Dockerfile');
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages = instructions.filter((l) => /^FROM\s/i.test(l));
  const runtime = instructions.slice(instructions.findIndex((l) => /^FROM\s.*\sAS\s+runtime$/i.test(l)));
  const workspaces = (JSON.parse(read('package.json')) as { workspaces: string[] }).workspaces;

  it('builds in one stage and runs production dependencies and dist in another', () => {
    expect(stages).toHaveLength(2);
    expect(stages[0]).toMatch(/\sAS\s+build$/i);
    expect(stages[1]).toMatch(/\sAS\s+runtime$/i);
    const base = instructions.find((l) => l.startsWith('ARG NODE_IMAGE='));
    expect(Number(base?.match(/^ARG NODE_IMAGE=node:(\d+)-bookworm-slim$/)?.[1])).toBeGreaterThanOrEqual(20);
    expect(runtime.some((l) => /^RUN npm ci --omit=dev\b/.test(l))).toBe(true);
    expect(runtime).toContain('COPY --from=build /app/packages/server/migrations packages/server/migrations');
  });

  it('installs with `npm ci` in both stages, as .ci/run does, so a lock file out of step fails the build', () => {
    const build = instructions.slice(0, instructions.indexOf(runtime[0] as string));
    expect(build.some((l) => /^RUN npm ci\b/.test(l) && !/--omit=dev/.test(l))).toBe(true);
    expect(instructions.filter((l) => /\bnpm (install|i)\b/.test(l))).toEqual([]);
  });

  it('copies every workspace package (manifest in both stages, dist into the runtime)', () => {
    for (const ws of workspaces) {
      expect(
        instructions.filter((l) => l === `COPY ${ws}/package.json ${ws}/`),
        ws,
      ).toHaveLength(2);
      expect(runtime, ws).toContain(`COPY --from=build /app/${ws}/dist ${ws}/dist`);
    }
  });

  it('runs `serve` as a non-root user with a liveness health check and SIGTERM', () => {
    const user = runtime.find((l) => l.startsWith('USER '));
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^USER\s+(root|0)(:|$)/);
    expect(runtime.find((l) => l.startsWith('HEALTHCHECK '))).toMatch(/CMD \["node", "-e", ".*fetch\(.*\/health\/live/);
    expect(runtime).toContain('EXPOSE 3001');
    expect(runtime).toContain('STOPSIGNAL SIGTERM');
    // SIGUSR2 writes a heap snapshot where the non-root user may write (runbook 002's heap dump).
    expect(runtime.at(-1)).toBe(
      'CMD ["node", "--heapsnapshot-signal=SIGUSR2", "--diagnostic-dir=/tmp", "packages/cli/dist/main.js", "serve"]',
    );
  });

  it('has curl in the runtime stage, as `kubectl exec $pod -- curl -f …/api/health` needs', () => {
    const install = runtime.find((l) => /^RUN apt-get update\b/.test(l));
    expect(install).toMatch(/apt-get install -y --no-install-recommends [^&]*\bcurl\b/);
    expect(install).toMatch(/rm -rf \/var\/lib\/apt\/lists\/\*$/);
    // Installed as root: after USER the package manager cannot write.
    expect(runtime.indexOf(install as string)).toBeLessThan(runtime.findIndex((l) => l.startsWith('USER ')));
  });

  it('runs the npm health and smoke scripts from what the runtime stage holds (no build, no dev dependencies)', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(runtime).toContain('COPY package.json package-lock.json ./');
    for (const name of ['health:db', 'health:redis', 'test:websocket', 'test:smoke']) {
      expect(scripts[name], name).toMatch(/^node packages\/cli\/dist\/main\.js (health (db|redis|websocket)|smoke)$/);
    }
    expect(runtime).toContain('COPY --from=build /app/packages/cli/dist packages/cli/dist');
  });

  it('has a BuildKit ignore file that keeps local state and build output out of the context', () => {
    const ignored = read('deploy/Dockerfile.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const entry of ['**/node_modules', '**/dist', '.git', 'data', '.env']) expect(ignored).toContain(entry);
    // The build needs the sources and the migrations.
    for (const needed of ['packages', 'packages/server/migrations', 'package-lock.json', 'tsconfig.base.json']) {
      expect(ignored).not.toContain(needed);
    }
  });
});

// ---------------------------------------------------------------------------------------

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, unknown>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  stop_grace_period?: string;
  volumes?: string[];
  ports?: string[];
}

/** Compose variable substitution (`${X}`, `${X:-default}`, `${X:?error}`, `$$`). */
function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z0-9_]+)(?::([-?])([^}]*))?\}/g,
    (whole, name?: string, op?: string, arg = '') => {
      if (whole === '$$' || !name) return '$';
      const v = vars[name];
      if (v) return v;
      if (op === '?') throw new Error(`${name}: ${arg}`);
      return op === '-' ? arg : '';
    },
  );
}

function parseEnvFile(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

describe('docker compose', () => {
  const compose = yamlDocument<{ services: Record<string, ComposeService> }>('deploy/compose.yml');
  const services = compose.services;
  const gateways = Object.keys(services).filter((n) => /^gateway/.test(n));
  const envExample = parseEnvFile(read('deploy/env.example'));

  it('has two gateways, a migrate one-off, PostgreSQL 16, Redis 7 and nginx', () => {
    expect(gateways).toEqual(['gateway-1', 'gateway-2']);
    for (const name of ['migrate', 'postgres', 'redis', 'nginx']) expect(services[name], name).toBeDefined();
    expect(services.postgres?.image).toMatch(/^postgres:16\b/);
    expect(services.redis?.image).toMatch(/^redis:7\b/);
    expect(JSON.stringify(services.postgres?.healthcheck)).toContain('pg_isready');
    expect(JSON.stringify(services.redis?.healthcheck)).toContain('ping');
    expect(services.migrate?.command).toEqual(['node', 'packages/cli/dist/main.js', 'migrate']);
  });

  it('builds the image from deploy/Dockerfile with the repository root as context', () => {
    for (const name of [...gateways, 'migrate']) {
      const build = services[name]?.build;
      expect(build, name).toEqual({ context: '..', dockerfile: 'deploy/Dockerfile' });
      expect(existsSync(join(root, 'deploy', build?.context ?? '', build?.dockerfile ?? ''))).toBe(true);
    }
  });

  it('starts gateways after migrations, with readiness health checks and time to drain', () => {
    for (const name of gateways) {
      const gw = services[name];
      expect(gw?.depends_on?.migrate?.condition, name).toBe('service_completed_successfully');
      expect(gw?.healthcheck?.test.join(' '), name).toContain('/health/ready');
      expect(Number.parseInt(gw?.stop_grace_period ?? '10s', 10) * 1000, name).toBeGreaterThan(DRAIN_MS);
    }
    expect(services.nginx?.depends_on?.['gateway-1']?.condition).toBe('service_healthy');
    const ids = gateways.map((n) => services[n]?.environment?.PRINTERMASTER_INSTANCE_ID);
    expect(new Set(ids).size).toBe(gateways.length);
  });

  it('documents every variable it reads in env.example', () => {
    const referenced = new Set(
      [...read('deploy/compose.yml').matchAll(/(?<!\$)\$\{([A-Za-z0-9_]+)/g)].map((m) => m[1]),
    );
    for (const name of referenced) expect(Object.keys(envExample), `env.example lacks ${name}`).toContain(name);
  });

  it('gives the gateways an environment the gateway accepts in production', () => {
    for (const name of [...gateways, 'migrate']) {
      const env = Object.fromEntries(
        Object.entries(services[name]?.environment ?? {}).map(([k, v]) => [k, interpolate(String(v), envExample)]),
      );
      expect(env.NODE_ENV).toBe('production');
      expect(env.DATABASE_URL).toMatch(/^postgres:\/\/.*@postgres:5432\//);
      expect(env.REDIS_URL).toBe('redis://redis:6379');
      expectAcceptedConfig(env, `compose ${name}`);
    }
  });

  it('mounts the nginx config whose upstream lists exactly the gateway services', () => {
    const mount = services.nginx?.volumes?.find((v) => v.endsWith(':/etc/nginx/nginx.conf:ro'));
    expect(mount).toBe('./nginx/printermaster.conf:/etc/nginx/nginx.conf:ro');
    const upstream = read('deploy/nginx/printermaster.conf').match(/upstream\s+printermaster\s*\{([^}]*)\}/)?.[1] ?? '';
    const servers = [...upstream.matchAll(/^\s*server\s+([^\s;]+)/gm)].map((m) => m[1]);
    expect(servers).toEqual(gateways.map((g) => `${g}:${services[g]?.environment?.PORT}`));
  });
});

// ---------------------------------------------------------------------------------------

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  data?: Record<string, unknown>;
  stringData?: Record<string, unknown>;
}
interface Probe {
  httpGet?: { path: string; port: string | number };
}
interface Container {
  name: string;
  image: string;
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  env?: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] }; sleep?: { seconds: number } } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean };
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodTemplate {
  metadata: { labels: Record<string, string> };
  spec: {
    terminationGracePeriodSeconds?: number;
    restartPolicy?: string;
    securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
    containers: Container[];
  };
}
interface Deployment extends K8sObject {
  spec: {
    selector: { matchLabels: Record<string, string> };
    strategy?: { rollingUpdate?: { maxUnavailable?: number | string; maxSurge?: number | string } };
    template: PodTemplate;
  };
}
interface Job extends K8sObject {
  spec: { template: PodTemplate };
}
interface Service extends K8sObject {
  spec: { selector: Record<string, string>; ports: { name: string; port: number; targetPort: string | number }[] };
}
interface Ingress extends K8sObject {
  spec: {
    ingressClassName?: string;
    rules: {
      http: {
        paths: { path: string; backend: { service: { name: string; port: { name?: string; number?: number } } } }[];
      };
    }[];
  };
}
interface Pdb extends K8sObject {
  spec: { minAvailable?: number; selector: { matchLabels: Record<string, string> } };
}
interface Hpa extends K8sObject {
  spec: {
    scaleTargetRef: { kind: string; name: string };
    minReplicas: number;
    metrics: { resource?: { name: string } }[];
  };
}

const matches = (selector: Record<string, string>, labels: Record<string, string>): boolean =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

describe('Kubernetes manifests', () => {
  const objects = deployFiles(/^deploy\/k8s\/.*\.ya?ml$/).flatMap((f) => yamlDocuments(f) as K8sObject[]);
  const ofKind = <T extends K8sObject>(kind: string): T[] => objects.filter((o) => o.kind === kind) as T[];
  const deployment = ofKind<Deployment>('Deployment').find((d) => d.metadata.name === 'printermaster');
  const pod = deployment?.spec.template;
  const gateway = pod?.spec.containers[0];

  it('has every object the README describes, in the printermaster namespace', () => {
    const kinds = new Set(objects.map((o) => o.kind));
    for (const kind of [
      'Namespace',
      'ConfigMap',
      'Secret',
      'Deployment',
      'Job',
      'Service',
      'Ingress',
      'PodDisruptionBudget',
      'HorizontalPodAutoscaler',
    ]) {
      expect(kinds, kind).toContain(kind);
    }
    for (const o of objects.filter((o) => o.kind !== 'Namespace')) {
      expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe('printermaster');
    }
    expect(ofKind('HorizontalPodAutoscaler')[0]?.apiVersion).toBe('autoscaling/v2');
    expect(ofKind('PodDisruptionBudget')[0]?.apiVersion).toBe('policy/v1');
  });

  it('probes readiness on /health/ready and liveness on /health/live, with a startup probe', () => {
    expect(gateway?.readinessProbe?.httpGet?.path).toBe('/health/ready');
    expect(gateway?.livenessProbe?.httpGet?.path).toBe('/health/live');
    expect(gateway?.startupProbe?.httpGet?.path).toBe('/health/live');
    const portNames = gateway?.ports?.map((p) => p.name);
    for (const probe of [gateway?.readinessProbe, gateway?.livenessProbe, gateway?.startupProbe]) {
      expect(portNames).toContain(probe?.httpGet?.port);
    }
    expect(gateway?.ports?.[0]?.containerPort).toBe(3001);
  });

  it('drains within the grace period: preStop pause + the gateway drain < terminationGracePeriodSeconds', () => {
    const preStop = gateway?.lifecycle?.preStop;
    const pauseS = preStop?.sleep?.seconds ?? Number(preStop?.exec?.command.at(-1));
    expect(preStop?.exec?.command[0] ?? 'sleep').toBe('sleep');
    expect(pauseS).toBeGreaterThanOrEqual(3);
    const grace = pod?.spec.terminationGracePeriodSeconds ?? 30;
    expect(grace).toBeGreaterThanOrEqual(15);
    expect(pauseS * 1000 + DRAIN_MS).toBeLessThan(grace * 1000);
    expect(deployment?.spec.strategy?.rollingUpdate).toEqual({ maxUnavailable: 0, maxSurge: 1 });
  });

  it('runs as non-root with resources, behind the proxy, named after the pod', () => {
    expect(pod?.spec.securityContext?.runAsNonRoot).toBe(true);
    expect(pod?.spec.securityContext?.runAsUser).not.toBe(0);
    expect(gateway?.securityContext?.allowPrivilegeEscalation).toBe(false);
    expect(gateway?.resources?.requests?.cpu).toBeDefined();
    expect(gateway?.resources?.requests?.memory).toBeDefined();
    expect(gateway?.resources?.limits?.memory).toBeDefined();
    const env = new Map(gateway?.env?.map((e) => [e.name, e]));
    expect(env.get('PRINTERMASTER_TRUST_PROXY')?.value).toBe('true');
    expect(env.get('PRINTERMASTER_INSTANCE_ID')?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.name');
    expect(gateway?.args).toEqual([
      'node',
      '--heapsnapshot-signal=SIGUSR2',
      '--diagnostic-dir=/tmp',
      'packages/cli/dist/main.js',
      'serve',
    ]);
    // The snapshots' directory is the writable one, with room for them beside a read-only root.
    expect(gateway?.securityContext?.readOnlyRootFilesystem).toBe(true);
    expect(gateway?.volumeMounts?.find((m) => m.mountPath === '/tmp')).toBeDefined();
  });

  it('wires Service, Ingress, PDB and HPA to the Deployment and its config', () => {
    const labels = pod?.metadata.labels ?? {};
    expect(matches(deployment?.spec.selector.matchLabels ?? { none: 'x' }, labels)).toBe(true);
    const service = ofKind<Service>('Service').find((s) => s.metadata.name === 'printermaster');
    expect(matches(service?.spec.selector ?? { none: 'x' }, labels)).toBe(true);
    const targetPort = service?.spec.ports[0]?.targetPort;
    expect(gateway?.ports?.map((p) => p.name)).toContain(targetPort);
    for (const ingress of ofKind<Ingress>('Ingress')) {
      for (const path of ingress.spec.rules.flatMap((r) => r.http.paths)) {
        expect(path.backend.service.name).toBe(service?.metadata.name);
        expect(service?.spec.ports.map((p) => p.name)).toContain(path.backend.service.port.name);
      }
    }
    for (const pdb of ofKind<Pdb>('PodDisruptionBudget')) {
      expect(matches(pdb.spec.selector.matchLabels, labels)).toBe(true);
      expect(pdb.spec.minAvailable).toBe(1);
    }
    const hpa = ofKind<Hpa>('HorizontalPodAutoscaler')[0];
    expect(hpa?.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: deployment?.metadata.name });
    expect(hpa?.spec.metrics.map((m) => m.resource?.name).sort()).toEqual(['cpu', 'memory']);
    expect(hpa?.spec.minReplicas).toBeGreaterThanOrEqual(2);
    const configMaps = new Set(ofKind('ConfigMap').map((o) => o.metadata.name));
    const secrets = new Set(ofKind('Secret').map((o) => o.metadata.name));
    for (const c of [gateway, ofKind<Job>('Job')[0]?.spec.template.spec.containers[0]]) {
      for (const from of c?.envFrom ?? []) {
        if (from.configMapRef) expect(configMaps).toContain(from.configMapRef.name);
        if (from.secretRef) expect(secrets).toContain(from.secretRef.name);
      }
    }
  });

  it('keeps Socket.IO connections open for an hour and routes long-polling stickily', () => {
    const main = ofKind<Ingress>('Ingress').find((i) => i.metadata.name === 'printermaster');
    const a = main?.metadata.annotations ?? {};
    expect(main?.spec.ingressClassName).toBe('nginx');
    expect(Number(a['nginx.ingress.kubernetes.io/proxy-read-timeout'])).toBeGreaterThanOrEqual(3600);
    expect(Number(a['nginx.ingress.kubernetes.io/proxy-send-timeout'])).toBeGreaterThanOrEqual(3600);
    expect(
      a['nginx.ingress.kubernetes.io/affinity'] === 'cookie' || a['nginx.ingress.kubernetes.io/upstream-hash-by'],
    ).toBeTruthy();
  });

  it('runs migrations as a Job that never restarts in place', () => {
    const job = ofKind<Job>('Job')[0];
    const container = job?.spec.template.spec.containers[0];
    expect(container?.args).toEqual(['node', 'packages/cli/dist/main.js', 'migrate']);
    expect(job?.spec.template.spec.restartPolicy).toBe('Never');
    expect(container?.image).toBe(gateway?.image);
  });

  it('configures the gateway with settings it accepts in production', () => {
    const config = ofKind('ConfigMap')[0]?.data ?? {};
    const secret = ofKind('Secret')[0]?.stringData ?? {};
    const plain = Object.fromEntries(
      (gateway?.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value]),
    );
    expectAcceptedConfig({ ...config, ...secret, ...plain }, 'configmap + secret.example + deployment env');
  });
});

// ---------------------------------------------------------------------------------------

describe('nginx', () => {
  const conf = read('deploy/nginx/printermaster.conf');
  const socketIo = conf.match(/location\s+\/socket\.io\/\s*\{([^}]*)\}/)?.[1] ?? '';

  it('proxies Socket.IO with WebSocket upgrades, hour-long timeouts and sticky upstreams', () => {
    expect(conf).toMatch(/map \$http_upgrade \$connection_upgrade \{/);
    expect(socketIo).toMatch(/proxy_set_header Upgrade \$http_upgrade;/);
    expect(socketIo).toMatch(/proxy_set_header Connection \$connection_upgrade;/);
    expect(socketIo).toMatch(/proxy_read_timeout 3600s;/);
    expect(socketIo).toMatch(/proxy_send_timeout 3600s;/);
    expect(socketIo).toMatch(/proxy_http_version 1\.1;/);
    expect(conf).toMatch(/upstream printermaster \{[^}]*\n\s*ip_hash;[^}]*keepalive \d+;/);
  });

  it('terminates TLS 1.2+, redirects HTTP, forwards client details and keeps /metrics private', () => {
    expect(conf).toMatch(/listen 443 ssl/);
    expect(conf).toMatch(/ssl_protocols TLSv1\.2 TLSv1\.3;/);
    expect(conf).toMatch(/ssl_certificate \/etc\/nginx\/ssl\/\S+;/);
    expect(conf).toMatch(/return 301 https:\/\/\$host\$request_uri;/);
    for (const block of [conf, socketIo]) {
      expect(block).toMatch(/proxy_set_header X-Forwarded-For \$remote_addr;/);
      expect(block).toMatch(/proxy_set_header X-Forwarded-Proto \$scheme;/);
    }
    expect(conf).toMatch(/client_max_body_size 2m;/);
    expect(conf).toMatch(/gzip_types [^;]*application\/json/);
    const metrics = conf.match(/location ~ \^\/\(metrics[^{]*\{([^}]*)\}/)?.[1] ?? '';
    expect(metrics).toMatch(/allow 127\.0\.0\.1;/);
    expect(metrics).toMatch(/deny all;/);
  });

  const nginx = findExecutable('nginx');
  it('passes `nginx -t`', async (ctx) => {
    if (!nginx) {
      if (inCi) expect.fail('nginx is not installed; install nginx: apt-get install -y nginx-light; .ci/run does this');
      ctx.skip('nginx is not installed (apt-get install -y nginx-light); `nginx -t` was not run');
      return;
    }
    const openssl = findExecutable('openssl');
    if (!openssl) throw new Error('openssl is needed to make a test certificate (apt-get install -y openssl)');
    const tmp = mkdtempSync(join(tmpdir(), 'printermaster-nginx-'));
    try {
      // Only what cannot work outside its real home is rewritten: certificate paths,
      // upstream host names (they must resolve), privileged ports, paths under /var,
      // the worker user and temp directories.
      let text = conf;
      const rewrite = (pattern: RegExp, replacement: string | ((match: string, ...groups: string[]) => string)) => {
        const before = text;
        text =
          typeof replacement === 'string' ? text.replace(pattern, replacement) : text.replace(pattern, replacement);
        expect(text, `rewrite ${pattern} did not apply`).not.toBe(before);
      };
      for (const [directive, file] of conf.matchAll(/ssl_certificate(?:_key)?\s+(\S+);/g)) {
        expect(file, directive).toMatch(/^\/etc\/nginx\/ssl\//);
      }
      mkdirSync(join(tmp, 'ssl'));
      mkdirSync(join(tmp, 'logs'));
      const cert = conf.match(/ssl_certificate\s+\/etc\/nginx\/ssl\/([^;\s]+);/)?.[1] ?? 'cert.pem';
      const key = conf.match(/ssl_certificate_key\s+\/etc\/nginx\/ssl\/([^;\s]+);/)?.[1] ?? 'key.pem';
      const made = spawnSync(
        openssl,
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-subj',
          '/CN=localhost',
          '-days',
          '1',
          '-keyout',
          join(tmp, 'ssl', key),
          '-out',
          join(tmp, 'ssl', cert),
        ],
        { encoding: 'utf8' },
      );
      expect(made.status, made.stderr).toBe(0);
      rewrite(/\/etc\/nginx\/ssl\//g, `${tmp}/ssl/`);

      let upstreamPort = 3001;
      rewrite(/(^\s*server\s+)([a-z][a-z0-9.-]*):\d+/gm, (_m, lead) => `${lead}127.0.0.1:${upstreamPort++}`);
      for (const port of new Set([...conf.matchAll(/^\s*listen\s+(\d+)/gm)].map((m) => m[1]))) {
        const free = await freePort();
        rewrite(new RegExp(`^(\\s*listen\\s+)${port}\\b`, 'gm'), `$1127.0.0.1:${free}`);
      }
      rewrite(/\/var\/log\/nginx\//g, `${tmp}/logs/`);
      rewrite(/^pid\s+\S+;/m, `pid ${tmp}/nginx.pid;`);
      // As root nginx switches workers to `user`, which may not exist here; as non-root it ignores it.
      const isRoot = process.getuid?.() === 0;
      rewrite(/^user\s+[^;]+;/m, isRoot ? 'user root;' : '');
      const temps = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].filter(
        (t) => !spawnSync(nginx, ['-V'], { encoding: 'utf8' }).stderr.includes(`--without-http_${t}_module`),
      );
      rewrite(/^http\s*\{/m, `http {\n${temps.map((t) => `  ${t}_temp_path ${tmp}/${t}_temp;`).join('\n')}`);
      // `include mime.types` is relative to the main file's directory, as in /etc/nginx.
      expect(text).toMatch(/^\s*include mime\.types;/m);
      writeFileSync(join(tmp, 'mime.types'), 'types {\n  text/html html;\n  application/json json;\n}\n');
      writeFileSync(join(tmp, 'nginx.conf'), text);

      const result = spawnSync(nginx, ['-t', '-p', `${tmp}/`, '-c', join(tmp, 'nginx.conf')], { encoding: 'utf8' });
      expect(result.status, `${result.stderr}\n--- tested config ---\n${text}`).toBe(0);
      expect(result.stderr).toContain('test is successful');
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

// ---------------------------------------------------------------------------------------

interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: { severity?: string };
  annotations?: { summary?: string; description?: string; runbook_url?: string };
}

const RUNBOOK_ANCHORS = [
  'high-latency',
  'agents-cannot-connect',
  'printer-tests-timing-out',
  'pending-requests-growing',
  'metrics-and-alerts',
  'canaries',
  'service-hours',
];

/** `printermaster_*` metric names in a PromQL expression. */
const metricNames = (expr: string): string[] => [...expr.matchAll(/\b(printermaster_[a-z0-9_]+)\b/g)].map((m) => m[1]!);

/** Every PromQL string of the dashboard: panel targets and template variable queries. */
function dashboardQueries(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const n of node) dashboardQueries(n, out);
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if ((key === 'expr' || key === 'definition') && typeof value === 'string') out.push(value);
      else dashboardQueries(value, out);
    }
  }
  return out;
}

describe('Prometheus and Grafana', () => {
  const prometheus = yamlDocument<{
    rule_files: string[];
    scrape_configs: { job_name: string; metrics_path: string }[];
  }>('deploy/prometheus/prometheus.yml');
  const rules = yamlDocument<{ groups: { name: string; rules: AlertRule[] }[] }>(
    'deploy/prometheus/alerts.yml',
  ).groups.flatMap((g) => g.rules);
  const dashboard = JSON.parse(read('deploy/grafana/printermaster-dashboard.json')) as unknown;
  const queries = dashboardQueries(dashboard);

  it('scrapes /metrics as job printermaster and loads the alert rules', () => {
    expect(prometheus.scrape_configs).toContainEqual(
      expect.objectContaining({ job_name: 'printermaster', metrics_path: '/metrics' }),
    );
    for (const file of prometheus.rule_files)
      expect(existsSync(join(root, 'deploy/prometheus', file)), file).toBe(true);
  });

  it('gives every alert a duration, a severity and a summary, description and runbook link', () => {
    expect(rules.length).toBeGreaterThanOrEqual(12);
    expect(new Set(rules.map((r) => r.alert)).size).toBe(rules.length);
    for (const rule of rules) {
      expect(rule.for, rule.alert).toMatch(/^\d+[smh]$/);
      expect(['info', 'warning', 'critical'], rule.alert).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
      expect(rule.annotations?.description, rule.alert).toBeTruthy();
      const [page, anchor] = (rule.annotations?.runbook_url ?? '').split('#');
      expect(page, rule.alert).toBe('docs/operations.md');
      expect(RUNBOOK_ANCHORS, rule.alert).toContain(anchor);
    }
  });

  it("keeps the operators' thresholds", () => {
    const exprs = rules.map((r) => r.expr.replace(/\s+/g, ' ').trim());
    const has = (pattern: RegExp): boolean => exprs.some((e) => pattern.test(e));
    expect(has(/printermaster_process_resident_memory_bytes \/ printermaster_memory_limit_bytes > 0\.8$/)).toBe(true);
    expect(has(/printermaster_process_resident_memory_bytes \/ printermaster_memory_limit_bytes > 0\.9$/)).toBe(true);
    expect(has(/histogram_quantile\(0\.95, .*printermaster_http_request_duration_seconds_bucket.*\) > 0\.5$/)).toBe(
      true,
    );
    expect(has(/histogram_quantile\(0\.95, .*printermaster_http_request_duration_seconds_bucket.*\) > 2$/)).toBe(true);
    expect(has(/printermaster_http_requests_total.* > 0\.01$/)).toBe(true);
    expect(has(/printermaster_http_requests_total.* > 0\.05$/)).toBe(true);
    expect(has(/increase\(printermaster_websocket_disconnects_total\[1m\]\)\) > 10$/)).toBe(true);
    expect(has(/increase\(printermaster_websocket_disconnects_total\[1m\]\)\) > 50$/)).toBe(true);
    expect(has(/printermaster_agents_high_latency\) > 0$/)).toBe(true);
    expect(has(/printermaster_ready == 0$/)).toBe(true);
    expect(has(/printermaster_pending_requests > 100$/)).toBe(true);
    expect(has(/increase\(printermaster_request_timeouts_total\[5m\]\)/)).toBe(true);
    expect(has(/increase\(printermaster_print_jobs_unconfirmed_total\[15m\]\)/)).toBe(true);
  });

  it('links only to runbook sections that exist, once docs/operations.md exists', (ctx) => {
    const path = join(root, 'docs/operations.md');
    if (!existsSync(path)) ctx.skip('docs/operations.md does not exist yet');
    // GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens.
    const anchors = new Set(
      [...readFileSync(path, 'utf8').matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) =>
        m[1]!
          .trim()
          .toLowerCase()
          .replace(/[^\p{L}\p{N} _-]/gu, '')
          .replace(/ /g, '-'),
      ),
    );
    for (const anchor of RUNBOOK_ANCHORS) expect(anchors, `docs/operations.md#${anchor}`).toContain(anchor);
  });

  it('uses Prometheus’ `up` only for the printermaster job', () => {
    const all = [...rules.map((r) => r.expr), ...queries];
    const ups = all.flatMap((e) => [...e.matchAll(/\bup\b(\{[^}]*\})?/g)]);
    expect(ups.length).toBeGreaterThan(0);
    for (const m of ups) expect(m[1], m.input).toMatch(/^\{job=~?"(printermaster|\$job)"/);
  });

  describe('against the metrics a running gateway exports', () => {
    let gateway: TestGateway | undefined;
    let exported = new Set<string>();

    beforeAll(async () => {
      gateway = await startTestGateway();
      const response = await fetch(`${gateway.url}/metrics`);
      expect(response.status).toBe(200);
      const text = await response.text();
      for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
        exported.add(name!);
        if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) exported.add(`${name}${s}`);
        if (type === 'summary') for (const s of ['_sum', '_count']) exported.add(`${name}${s}`);
      }
    });
    afterAll(async () => {
      await gateway?.close();
      exported = new Set();
    });

    it('alert rules use only exported metric names', () => {
      const used = new Set(rules.flatMap((r) => metricNames(r.expr)));
      expect(used.size).toBeGreaterThanOrEqual(10);
      expect([...used].filter((n) => !exported.has(n))).toEqual([]);
    });

    it('the dashboard uses only exported metric names', () => {
      const used = new Set(queries.flatMap(metricNames));
      expect(used.size).toBeGreaterThanOrEqual(20);
      expect([...used].filter((n) => !exported.has(n))).toEqual([]);
    });
  });

  const promtool = findExecutable('promtool');
  it.skipIf(!promtool)('promtool accepts the rules and the configuration, and the alerts pass their unit tests', () => {
    for (const args of [
      ['check', 'rules', join(root, 'deploy/prometheus/alerts.yml')],
      ['check', 'config', join(root, 'deploy/prometheus/prometheus.yml')],
      // The service-hour alerts fire inside a branch's hours and without hours, never outside them.
      ['test', 'rules', join(root, 'deploy/prometheus/alerts.test.yml')],
    ]) {
      const result = spawnSync(promtool!, args, { encoding: 'utf8' });
      expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
    }
  });
});

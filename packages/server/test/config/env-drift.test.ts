import { generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { TInteger } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { AGENT_USAGE, runAgentCli } from '../../../agent/src/agent-cli.js';
import { runCli } from '../../../cli/test/cli-process.js';
import { AGENT_SETTINGS } from '../../src/config/agent-settings.js';
import { CHECK_SETTINGS } from '../../src/config/check-settings.js';
import { defaultShown, type EnvSetting } from '../../src/config/env-setting.js';
import { environmentHelp } from '../../src/config/environment-help.js';
import { GATEWAY_SETTINGS } from '../../src/config/gateway-settings.js';
import { loadConfig } from '../../src/config/load-config.js';
import { CONFIG_SECTIONS, REPOSITORY_ROOT, withGeneratedSection } from '../../src/config/write-config-docs.js';

// The schema (src/config/) is the one description of the environment. These tests fail when the
// code reads a variable the schema lacks, or the README table, docs/configuration.md, `serve
// --help` or the agent's reading of its variables says something else than the schema.

const gateway = Object.values(GATEWAY_SETTINGS) as EnvSetting[];
const agent = Object.values(AGENT_SETTINGS) as EnvSetting[];
const gatewayNames = gateway.map((s) => s.name).sort();
const agentNames = agent.map((s) => s.name).sort();
const checkNames = (Object.values(CHECK_SETTINGS) as EnvSetting[]).map((s) => s.name).sort();
const schemaNames = new Set([...gatewayNames, ...agentNames, ...checkNames]);

/** Every TypeScript file under packages/PACKAGE/src, relative to the repository root. */
function sourceFiles(pkg = '*'): string[] {
  const packages = pkg === '*' ? readdirSync(join(REPOSITORY_ROOT, 'packages')) : [pkg];
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) files.push(relative(REPOSITORY_ROOT, path));
    }
  };
  for (const p of packages) {
    const src = join(REPOSITORY_ROOT, 'packages', p, 'src');
    if (statSync(src, { throwIfNoEntry: false })?.isDirectory()) walk(src);
  }
  return files.sort();
}

/**
 * The variables a file names: every `PRINTERMASTER_…` word, and every `env.NAME`, `env?.NAME`
 * or `env['NAME']` (so `process.env.NAME` too), each with the file it is in.
 */
function variablesNamed(files: string[]): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of files) {
    const source = readFileSync(join(REPOSITORY_ROOT, file), 'utf8');
    const patterns = [
      /\b(PRINTERMASTER_[A-Z0-9_]*[A-Z0-9])\b/g,
      /\benv\??\.([A-Z][A-Z0-9_]*)\b/g,
      /\benv\[\s*['"`]([A-Z][A-Z0-9_]*)['"`]\s*\]/g,
    ];
    for (const pattern of patterns) for (const m of source.matchAll(pattern)) found.set(m[1] as string, file);
  }
  return found;
}

/** Where a program may read the environment, and why. */
const READS_ENVIRONMENT: Record<string, string> = {
  'packages/server/src/config/load-config.ts': 'the gateway reads its variables only through the schema',
  'packages/agent/src/agent-cli.ts': 'the agent parses its own variables (it cannot import the gateway)',
  'packages/cli/src/demo.ts': 'the demo copies the environment to its child processes, without PRINTERMASTER_ ones',
  'packages/server/src/config/check-settings.ts':
    'the smoke and websocket checks read their variable through its schema',
};

describe('the variables the code reads', () => {
  it('are all in the schema, wherever in packages/*/src they are named', () => {
    const unknown = [...variablesNamed(sourceFiles())].filter(([name]) => !schemaNames.has(name));
    expect(unknown.map(([name, file]) => `${name} (${file})`)).toEqual([]);
  });

  it('are read from process.env only where the schema is applied', () => {
    const readers = sourceFiles().filter((file) =>
      /process\.env\b/.test(readFileSync(join(REPOSITORY_ROOT, file), 'utf8')),
    );
    expect(readers.filter((file) => !(file in READS_ENVIRONMENT))).toEqual([]);
  });

  it('are, for the gateway, exactly the schema: loadConfig reads each one and no other', () => {
    for (const base of [{}, { NODE_ENV: 'production' }]) {
      const read = new Set<string>();
      const env = new Proxy(base as Record<string, string | undefined>, {
        get: (target, name) => {
          if (typeof name === 'string') read.add(name);
          return typeof name === 'string' ? target[name] : undefined;
        },
      });
      try {
        loadConfig(env);
      } catch {
        // Production without its required variables is refused; what was read is what counts here.
      }
      expect([...read].sort()).toEqual(gatewayNames);
    }
  });

  it('are, for the agent, exactly its part of the schema', () => {
    expect([...variablesNamed(sourceFiles('agent')).keys()].sort()).toEqual(agentNames);
  });

  it('are, for the agent timings, refused below the bounds of the schema, as the agent reads them', async () => {
    const timings = agent.filter((s) => s.group === 'agent-timings');
    for (const setting of timings) {
      const minimum = (setting.schema as TInteger).minimum ?? 0;
      const refused = await agentProblems({ [setting.name]: String(minimum - 1) });
      const accepted = await agentProblems({ [setting.name]: String(minimum) });
      expect(refused, setting.name).toContain(setting.name);
      expect(accepted, setting.name).not.toContain(setting.name);
    }
  });

  /** What the agent says about `env` when it cannot start (its server URL is missing, so it never connects). */
  async function agentProblems(env: Record<string, string>): Promise<string> {
    let stderr = '';
    const code = await runAgentCli(['--no-cups'], { env, stdout: () => {}, stderr: (s) => (stderr += s) });
    expect(code).toBe(2);
    return stderr.split('\n\n')[0] ?? '';
  }
});

describe('each gateway variable', () => {
  /** Values other than the default that the loader may accept, to see that the variable has an effect. */
  function otherValues(setting: EnvSetting): string[] {
    const samples: Record<string, string> = {
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      DATABASE_URL: 'postgres://127.0.0.1/other',
      REDIS_URL: 'redis://127.0.0.1:6379',
      JWT_SECRET: 'a-secret-long-enough-for-production-use-0123456789',
      JWT_EXPIRES_IN: '15m',
      CORS_ORIGINS: 'https://pos.example.com',
      LOG_LEVEL: 'warn',
      JWT_ACCESS_TTL: '5m',
      JWT_REFRESH_TTL: '7d',
      TRUSTED_JWT_JWKS_URL: 'https://idp.example.com/.well-known/jwks.json',
      TRUSTED_JWT_PUBLIC_KEY: generateKeyPairSync('ec', { namedCurve: 'P-256' })
        .publicKey.export({ type: 'spki', format: 'pem' })
        .toString(),
      TRUSTED_JWT_ALGORITHMS: 'ES384',
      TRUSTED_JWT_ROLE_MAP: 'boss:company_owner',
    };
    const sample = samples[setting.name];
    if (sample !== undefined) return [sample];
    if (setting.type === 'boolean') return ['true', 'false'];
    if (setting.type.startsWith('integer')) {
      const { minimum, maximum } = setting.schema as TInteger;
      return [String(minimum), String(maximum)];
    }
    return ['another-value'];
  }
  const defaults = JSON.stringify(loadConfig({}));

  /** What a variable needs set beside it to be accepted at all (a trusted platform needs its issuer and audience). */
  function companions(name: string): Record<string, string> {
    if (!name.startsWith('TRUSTED_JWT_')) return {};
    const issued = { TRUSTED_JWT_ISSUER: 'https://idp.example.com', TRUSTED_JWT_AUDIENCE: 'printermaster' };
    if (name === 'TRUSTED_JWT_JWKS_URL' || name === 'TRUSTED_JWT_PUBLIC_KEY') return issued;
    return { ...issued, TRUSTED_JWT_JWKS_URL: 'https://idp.example.com/jwks' };
  }

  it('changes the configuration when set', () => {
    const changes = (name: string, value: string): boolean => {
      try {
        return JSON.stringify(loadConfig({ ...companions(name), [name]: value })) !== without(name);
      } catch {
        return false;
      }
    };
    /** The configuration with the companions alone; the defaults when they are not accepted alone. */
    const without = (name: string): string => {
      try {
        return JSON.stringify(loadConfig(companions(name)));
      } catch {
        return defaults;
      }
    };
    const withoutEffect = gateway.filter((s) => !otherValues(s).some((value) => changes(s.name, value)));
    expect(withoutEffect.map((s) => s.name)).toEqual([]);
  });

  it('has the default the docs show: setting it to that value changes nothing', () => {
    for (const setting of gateway.filter((s) => s.defaultText === undefined && s.default !== undefined)) {
      expect(JSON.stringify(loadConfig({ [setting.name]: defaultShown(setting) as string })), setting.name).toBe(
        defaults,
      );
    }
  });

  it('has the derived defaults the docs describe', () => {
    const config = loadConfig({ PORT: '4000' });
    expect(config.http.publicUrl).toBe('http://localhost:4000');
    expect(config.http.listenEarly).toBe(true);
    expect(loadConfig({ DATABASE_URL: 'postgres://127.0.0.1/x' }).http.listenEarly).toBe(false);
    expect(config.instanceId).toMatch(new RegExp(`-${process.pid}$`));
    expect(config.render.threads).toBeGreaterThanOrEqual(1);
    expect(config.render.threads).toBeLessThanOrEqual(4);
  });
});

describe('the generated docs', () => {
  for (const section of CONFIG_SECTIONS) {
    it(`${section.file} holds the ${section.id} as the schema prints it (else: npm run docs:config)`, () => {
      const markdown = readFileSync(join(REPOSITORY_ROOT, section.file), 'utf8');
      expect(markdown).toBe(withGeneratedSection(markdown, section.id, section.render()));
    });
  }

  /** The variables in the first column of the Markdown tables of `text`. */
  const tableNames = (text: string) => [...text.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((m) => m[1]);

  it('the README table lists every gateway variable once', () => {
    expect(tableNames(settingsSection('README.md')).sort()).toEqual(gatewayNames);
  });

  it('docs/configuration.md lists every gateway, agent and check variable once', () => {
    const names = tableNames(settingsSection('docs/configuration.md'));
    expect(names.sort()).toEqual([...gatewayNames, ...agentNames, ...checkNames].sort());
  });

  function settingsSection(file: string): string {
    const markdown = readFileSync(join(REPOSITORY_ROOT, file), 'utf8');
    return markdown.slice(markdown.indexOf('<!-- begin generated'), markdown.indexOf('<!-- end generated'));
  }
});

describe('--help', () => {
  it('of serve prints every gateway variable as the schema does (the CLI as built: npx tsc -b)', async () => {
    const help = await runCli(['serve', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain(environmentHelp());
    for (const name of gatewayNames) expect(help.stdout, name).toContain(`\n  ${name}  (`);
  });

  /** Agent variables its --help does not name yet (agent-cli.ts shows `--log-level` for LOG_LEVEL). */
  const AGENT_HELP_OMITS = ['LOG_LEVEL'];

  it("of the agent names each of its variables with the schema's default", () => {
    for (const setting of agent.filter((s) => !AGENT_HELP_OMITS.includes(s.name))) {
      const shown = defaultShown(setting);
      // From the name to the next variable or the end of the line: where the help gives its default.
      const line = new RegExp(`${setting.name}[^\\n]*?(?=PRINTERMASTER_|\\n|$)`).exec(AGENT_USAGE)?.[0] ?? '';
      expect(AGENT_USAGE, setting.name).toContain(setting.name);
      if (shown !== undefined) expect(line, setting.name).toContain(shown);
    }
    // When the agent's help names one of these, take it off the list so that it is checked too.
    for (const name of AGENT_HELP_OMITS) expect(AGENT_USAGE).not.toMatch(new RegExp(`\\b${name}\\b`));
  });
});

import { afterAll, describe, expect, it } from '@jest/globals';
import { type Instruction, DockerfileParser } from 'dockerfile-ast';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repositoryRoot } from './repository.js';
import { SERVICE_NAMES } from './service-configs.js';

const text = readFileSync(join(repositoryRoot, 'Dockerfile'), 'utf8');
const dockerfile = DockerfileParser.parse(text);

/** The instructions of each stage, by its name. */
function stages(): Map<string, { from: string; instructions: Instruction[] }> {
  const result = new Map<string, { from: string; instructions: Instruction[] }>();
  let current: Instruction[] | undefined;
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const args = instruction.getArguments().map((a) => a.getValue());
      const name = args[args.indexOf('AS') + 1] ?? args[args.indexOf('as') + 1];
      if (!name) throw new Error(`unnamed stage: ${instruction.getTextContent()}`);
      current = [];
      result.set(name, { from: args[0]!, instructions: current });
    } else current?.push(instruction);
  }
  return result;
}

const byStage = stages();
const stage = (name: string) => {
  const found = byStage.get(name);
  if (!found) throw new Error(`no stage ${name}`);
  return found;
};
const content = (instruction: Instruction) => instruction.getArgumentsContent() ?? '';
/** An instruction as written after its keyword, flags included (`--from=build /src ./`). */
const written = (instruction: Instruction) => instruction.getTextContent().replace(/^\S+\s+/, '');
const runs = (name: string) =>
  stage(name)
    .instructions.filter((i) => i.getKeyword() === 'RUN')
    .map(content);

describe('the Dockerfile', () => {
  it('builds in stages from the official Node.js 24 image', () => {
    expect([...byStage.keys()]).toEqual([
      'manifests',
      'deps',
      'build',
      'compiled',
      'production-deps',
      'runtime',
    ]);
    const nodeImage = dockerfile
      .getInitialARGs()
      .find((arg) => arg.getProperty()?.getName() === 'NODE_IMAGE')
      ?.getProperty()
      ?.getValue();
    expect(nodeImage).toMatch(/^node:24(\.\d+)*-bookworm-slim$/);
    expect(nodeImage!.replace(/^node:/, '').split('-')[0]).toBe(
      readFileSync(join(repositoryRoot, '.nvmrc'), 'utf8').trim(),
    );
    for (const [name, { from }] of byStage)
      expect({ name, from }).toEqual({
        name,
        from: byStage.has(from) && from !== name ? from : '${NODE_IMAGE}',
      });
  });

  it('keeps only the manifests and the lockfile for `npm ci`, which installs exactly from it', () => {
    const [keepManifests] = runs('manifests');
    const dir = mkdtempSync(join(tmpdir(), 'aviary-dockerfile-'));
    try {
      for (const file of [
        'package.json',
        'package-lock.json',
        'README.md',
        'libs/events/package.json',
        'libs/events/src/index.ts',
        'services/gateway/web/package.json',
        'services/gateway/web/src/app.tsx',
      ]) {
        mkdirSync(join(dir, file, '..'), { recursive: true });
        writeFileSync(join(dir, file), '{}');
      }
      const result = spawnSync('sh', ['-c', keepManifests!], { cwd: dir, encoding: 'utf8' });
      expect(result.status).toBe(0);
      const left = spawnSync('find', ['.', '-type', 'f'], { cwd: dir, encoding: 'utf8' })
        .stdout.trim()
        .split('\n')
        .sort();
      expect(left).toEqual([
        './libs/events/package.json',
        './package-lock.json',
        './package.json',
        './services/gateway/web/package.json',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    for (const name of ['deps', 'production-deps']) {
      const copies = stage(name)
        .instructions.filter((i) => i.getKeyword() === 'COPY')
        .map(written);
      expect(copies).toContain('--from=manifests /src ./');
      expect(runs(name).some((run) => /\bnpm ci\b/.test(run))).toBe(true);
    }
    // `npm install` would rewrite the lockfile: it appears only to drop the test workspaces from it.
    expect(text.match(/npm install[^\n]*/g)).toEqual([
      'npm install --package-lock-only --no-audit --no-fund \\',
    ]);
    expect(runs('production-deps').join('\n')).toMatch(/npm ci --omit=dev/);
  });

  it('builds everything, and the runtime takes compiled code and production dependencies only', () => {
    expect(runs('build')).toEqual(['npm run build']);
    const copies = stage('runtime')
      .instructions.filter((i) => i.getKeyword() === 'COPY')
      .map(written);
    expect(copies).toEqual([
      '--from=production-deps /src ./',
      '--from=compiled /out ./',
      '--chmod=0755 deploy/docker/aviary-service.sh /usr/local/bin/aviary-service',
    ]);
    expect(runs('compiled').join('\n')).toMatch(/cp -r "\$workspace\/package.json" "\$workspace\/dist"/);
  });

  it('runs as an unprivileged user under tini, with a health check, the service picked by SERVICE', () => {
    const runtime = stage('runtime').instructions;
    const last = (keyword: string) => runtime.filter((i) => i.getKeyword() === keyword).at(-1);
    expect(content(last('USER')!)).toBe('node');
    expect(content(last('ENTRYPOINT')!)).toBe('["/usr/bin/tini", "--", "/usr/local/bin/aviary-service"]');
    expect(runs('runtime').join('\n')).toMatch(/apt-get install[^\n]* tini git /);
    expect(content(last('HEALTHCHECK')!)).toMatch(/\/health'\)/);
    expect(content(last('ARG')!)).toBe('SERVICE=gateway');
    expect(content(last('ENV')!)).toMatch(/AVIARY_SERVICE=\$\{SERVICE\}/);
    expect(content(last('ENV')!)).toMatch(/AVIARY_HOST=0\.0\.0\.0/);
    // The V8 setting bench/footprint measures the distributed services with.
    expect(content(last('ENV')!)).toMatch(/NODE_OPTIONS=--max-semi-space-size=1 /);
    expect(content(last('EXPOSE')!)).toBe('8080');
  });

  it('keeps out of the build context what the image builds itself', () => {
    const ignored = readFileSync(join(repositoryRoot, '.dockerignore'), 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['**/node_modules', '**/dist', '.git', '.tools']));
  });
});

describe("the image's command", () => {
  const script = join(repositoryRoot, 'deploy', 'docker', 'aviary-service.sh');
  const app = mkdtempSync(join(tmpdir(), 'aviary-image-app-'));
  for (const name of SERVICE_NAMES) {
    mkdirSync(join(app, 'services', name, 'dist'), { recursive: true });
    writeFileSync(join(app, 'services', name, 'dist', 'main.js'), `console.log('${name}');\n`);
  }
  afterAll(() => rmSync(app, { recursive: true, force: true }));
  const run = (args: string[], env: Record<string, string> = {}) =>
    spawnSync('sh', [script, ...args], {
      cwd: app,
      encoding: 'utf8',
      env: { PATH: process.env['PATH'] ?? '', ...env },
    });

  it.each(SERVICE_NAMES)('runs the %s by argument, whatever the build argument said', (name) => {
    expect(existsSync(join(repositoryRoot, 'services', name, 'src', 'main.ts'))).toBe(true);
    const result = run([name], { AVIARY_SERVICE: 'gateway' });
    expect({ status: result.status, stdout: result.stdout }).toEqual({ status: 0, stdout: `${name}\n` });
  });

  it("runs the build argument's service without an argument, and refuses an unknown one", () => {
    expect(run([], { AVIARY_SERVICE: 'canary' }).stdout).toBe('canary\n');
    const unknown = run(['jenkins']);
    expect(unknown.status).toBe(64);
    expect(unknown.stderr).toMatch(/unknown service "jenkins"/);
  });
});

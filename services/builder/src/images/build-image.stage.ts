import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ARTIFACTS_BUCKET, type BusClient } from '@aviary/messaging';
import { BuildImageSettings } from '@aviary/pipeline-spec';
import { type z } from 'zod';
import { displayUrl } from '../git/credentials.js';
import { LineSplitter } from '../logs/line-splitter.js';
import { Masker } from '../logs/masker.js';
import { type StepExecutor } from '../steps/executor.js';
import { parseOutputFile } from '../steps/output-file.js';
import { RUN_DIR } from '../stages/run.stage.js';
import { StageFailure } from '../stages/stage-failure.js';
import { type StageWork } from '../stages/stage-runner.js';
import { type Workspaces } from '../stages/workspaces.js';
import { writeApplicationLayers } from './application-layers.js';
import { defaultEntrypoint, OciImageBuilder } from './image-builder.js';
import { PackageBuilder } from './package-builder.js';
import { parseImageReference, registryHost, sanitizeTag } from './oci/reference.js';
import { RegistryError, type RegistryClient } from './oci/registry-client.js';

type Settings = z.output<typeof BuildImageSettings>;

export interface BuildImageOptions {
  workDir: string;
  /** The registry images go to when the stage's repository names none; none: packaged builds. */
  registry?: string;
  baseImage: string;
  imageCommand?: string;
  /** Also pack every image build, for a deployer whose local provider runs it (`packages/<app>/<tag>`). */
  localPackages?: boolean;
  hostEnv: Record<string, string>;
  secrets: Record<string, string>;
}

/**
 * `build-image`: the application as an image, tagged with the commit. Three ways: a daemonless OCI
 * build pushed to a registry (the default when a registry is known), a packaged build in the
 * artifact store (no registry: the embedded default), or the team's own build-and-push command
 * (command mode: docker, buildah, kaniko). Same outputs each way: imageUrl, imageDigest, tag.
 */
export class BuildImageStage {
  constructor(
    private readonly client: RegistryClient,
    private readonly executor: StepExecutor,
    private readonly workspaces: Workspaces,
    private readonly bus: BusClient,
    private readonly options: BuildImageOptions,
  ) {}

  async run(work: StageWork): Promise<Record<string, unknown>> {
    const { command, log, signal } = work;
    const settings = BuildImageSettings.parse(command.settings);
    const workspace = await this.workspaces.ensure(command, log, signal);
    const context = this.workspaces.inside(workspace, settings.context, 'context');
    const tag = sanitizeTag(settings.tag);
    const defaultRegistry = this.options.registry ? registryHost(this.options.registry) : undefined;
    const target = parseImageReference(settings.repository, defaultRegistry);
    const hasRegistry =
      defaultRegistry !== undefined ||
      target.registry !== 'docker.io' ||
      settings.repository.startsWith('docker.io/');
    const labels = {
      'org.opencontainers.image.source': displayUrl(command.trigger.repository),
      'org.opencontainers.image.revision': command.trigger.sha,
      ...settings.labels,
    };
    const buildCommand = settings.command ?? this.options.imageCommand;
    if (buildCommand) {
      if (!hasRegistry)
        throw new StageFailure(
          'no-registry',
          'command mode pushes to a registry: set BUILDER_REGISTRY or a repository with its registry host',
        );
      return this.runCommand(work, settings, buildCommand, {
        context,
        workspace,
        tag,
        registry: target.registry,
        repository: target.repository,
      });
    }
    const buildDir = join(
      this.options.workDir,
      'builds',
      encodeURIComponent(`${command.executionId}-${command.stageId}-${command.attempt}`),
    );
    // The package starts as the image does: `npm start` would put npm (its start-up, its memory) in
    // front of every instance the local provider runs.
    const entrypoint = settings.entrypoint ?? (await defaultEntrypoint(context));
    const workdir = settings.workdir ?? '/app';
    try {
      await rm(buildDir, { recursive: true, force: true });
      // Written once for both the image and the package, which are made of the same layers.
      const layers = writeApplicationLayers({ context, workdir, buildDir });
      layers.catch(() => undefined);
      const pack = async () =>
        new PackageBuilder(this.bus.objects(ARTIFACTS_BUCKET)).build({
          layers: await layers,
          manifest: { application: command.application, tag, entrypoint, env: settings.env, labels, workdir },
        });
      if (!hasRegistry) {
        work.progress('packing the application');
        const built = await pack();
        log.system(
          `no registry configured: packed the application as ${built.url} (${built.stored} bytes stored${built.reused ? ', already stored' : ''})`,
        );
        return { imageUrl: built.url, imageDigest: built.digest, tag };
      }
      if (!settings.push)
        log.system('push: false is ignored by the daemonless build: the registry is where it builds to');
      work.progress(`building ${target.registry}/${target.repository}:${tag}`);
      const base = parseImageReference(settings.baseImage ?? this.options.baseImage, defaultRegistry);
      const additional = settings.additionalTags.map(sanitizeTag).filter((t) => t !== tag);
      // The package is stored while the image goes to the registry.
      const [image, packed] = await Promise.allSettled([
        new OciImageBuilder(this.client).build(
          {
            context,
            base,
            target: { registry: target.registry, repository: target.repository },
            tags: [tag, ...additional],
            entrypoint,
            workdir,
            user: settings.user ?? '1000',
            env: settings.env,
            labels,
            buildDir,
            layers,
            signal,
          },
          (text) => log.system(text),
        ),
        this.options.localPackages ? pack() : Promise.resolve(undefined),
      ]);
      if (image.status === 'rejected') throw image.reason;
      if (packed.status === 'rejected') throw packed.reason;
      const built = image.value;
      if (packed.value)
        log.system(
          `packed it too, for the local deploy provider: ${packed.value.url} (packages/${command.application}/${tag})`,
        );
      return { imageUrl: built.url, imageDigest: built.digest, tag };
    } catch (error) {
      if (error instanceof RegistryError)
        throw new StageFailure('registry', error.message, { retryable: error.retryable });
      throw error;
    } finally {
      await rm(buildDir, { recursive: true, force: true });
    }
  }

  /** Command mode: the team's build-and-push, with the image name in its environment. */
  private async runCommand(
    { command, log, signal, maskWith }: StageWork,
    settings: Settings,
    buildCommand: string,
    where: { context: string; workspace: string; tag: string; registry: string; repository: string },
  ): Promise<Record<string, unknown>> {
    const image = `${where.registry}/${where.repository}:${where.tag}`;
    const outputFile = join(
      where.workspace,
      RUN_DIR,
      `${encodeURIComponent(command.stageId)}-${command.attempt}.env`,
    );
    await mkdir(join(where.workspace, RUN_DIR), { recursive: true });
    await rm(outputFile, { force: true });
    const env: Record<string, string> = {
      IMAGE: image,
      IMAGE_REGISTRY: where.registry,
      IMAGE_REPOSITORY: `${where.registry}/${where.repository}`,
      IMAGE_TAG: where.tag,
      CONTEXT: where.context,
      DOCKERFILE: join(where.context, settings.dockerfile),
      AVIARY_OUTPUT: outputFile,
      AVIARY_SHA: command.trigger.sha,
      ...Object.fromEntries(
        Object.entries(settings.buildArgs).map(([name, value]) => [`BUILD_ARG_${name}`, value]),
      ),
      ...this.options.secrets,
    };
    maskWith(Masker.forEnvironment(env, Object.keys(this.options.secrets)));
    log.system(`$ ${buildCommand}`);
    const splitters = {
      stdout: new LineSplitter((l) => log.write('stdout', l)),
      stderr: new LineSplitter((l) => log.write('stderr', l)),
    };
    const result = await this.executor.run({
      name: `${command.executionId}-${command.stageId}-${command.attempt}`,
      attempt: { executionId: command.executionId, stageId: command.stageId, attempt: command.attempt },
      command: buildCommand,
      cwd: where.context,
      workspace: where.workspace,
      env,
      sideCars: [],
      signal,
      output: (stream, chunk) => (stream === 'stderr' ? splitters.stderr : splitters.stdout).push(chunk),
      note: (text) => log.system(text),
    });
    splitters.stdout.end();
    splitters.stderr.end();
    if (result.stopped) return {};
    if (result.exitCode !== 0)
      throw new StageFailure(
        'exit-code',
        `the image command exited with code ${result.exitCode ?? result.signal}`,
        { retryable: true },
      );
    const written = parseOutputFile(await readFile(outputFile, 'utf8').catch(() => ''), [
      'imageDigest',
    ]).outputs;
    const digest =
      written['imageDigest'] ??
      (await this.client.manifestDigest(where.registry, where.repository, where.tag).catch(() => undefined));
    if (!digest)
      throw new StageFailure(
        'image-not-pushed',
        `the image command succeeded but ${image} is not in the registry (did it push?)`,
      );
    return { imageUrl: `${image}@${digest}`, imageDigest: digest, tag: where.tag };
  }
}

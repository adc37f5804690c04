import { isAbsolute, resolve } from 'node:path';

/** How the local provider runs a version of an application: a directory and a start command. */
export interface LocalRun {
  command: string;
  directory: string;
}

/** What the local provider runs for an image: where the app is and how it starts. */
export interface ResolvedArtifact {
  directory: string;
  command: string;
  /** The artifact's own environment, under the release's. */
  env?: Record<string, string>;
}

/**
 * The seam between a release's image and what the local provider runs: a directory and a start
 * command from the stage settings, or a package the builder stored.
 */
export interface ArtifactResolver {
  resolve(image: string, run: LocalRun | undefined, application?: string): Promise<ResolvedArtifact>;
}

/** Directories as given (relative ones under `root`), the command from the settings. */
export class DirectoryArtifactResolver implements ArtifactResolver {
  constructor(private readonly root: string) {}

  resolve(image: string, run: LocalRun | undefined): Promise<ResolvedArtifact> {
    if (!run)
      return Promise.reject(
        new Error(`the local provider needs local.command (and local.directory) to run ${image}`),
      );
    const directory = isAbsolute(run.directory) ? run.directory : resolve(this.root, run.directory);
    return Promise.resolve({ directory, command: run.command });
  }
}

import { type DataDirSecrets, dataPaths } from './data-dir.js';

/**
 * The environment the seven services start with in standalone mode: what makes them work on one
 * machine with nothing else installed (development mode with a generated key, the local deploy
 * provider, work folders in the data directory, UI links to this instance), under whatever the user
 * set, which always wins.
 */
export function serviceEnvironment(
  env: Record<string, string | undefined>,
  options: { dataDir: string; secrets: DataDirSecrets; publicUrl: string },
): Record<string, string | undefined> {
  const paths = dataPaths(options.dataDir);
  const ownTargets = env['DEPLOYER_TARGETS'] !== undefined || env['DEPLOYER_TARGETS_FILE'] !== undefined;
  const defaults: Record<string, string> = {
    AVIARY_ENV: 'development',
    AVIARY_SECRET_KEY: options.secrets.secretKey,
    ...(options.secrets.adminToken === undefined ? {} : { AVIARY_ADMIN_TOKEN: options.secrets.adminToken }),
    BUILDER_WORK_DIR: paths.builder,
    // Packaged builds are unpacked there (and a relative `local.directory` is found there).
    DEPLOYER_LOCAL_ROOT: paths.deployer,
    ...(ownTargets ? {} : { DEPLOYER_TARGETS: JSON.stringify({ '*': { kind: 'local' } }) }),
    NOTIFIER_UI_URL: options.publicUrl,
  };
  return { ...defaults, ...env };
}

/** How a person reaches an address the gateway listens on: `localhost` for loopback and any-address. */
export function publicUrl(host: string, port: number): string {
  const local = ['127.0.0.1', '::1', 'localhost', '0.0.0.0', '::'].includes(host);
  const shown = local ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}

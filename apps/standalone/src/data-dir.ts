import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The folders and files of a standalone data directory (`./.aviary` by default). */
export function dataPaths(dataDir: string) {
  return {
    pglite: join(dataDir, 'pglite'),
    journal: join(dataDir, 'bus'),
    objects: join(dataDir, 'objects'),
    builder: join(dataDir, 'builder'),
    deployer: join(dataDir, 'deployer'),
    secretKey: join(dataDir, 'secret-key'),
    adminToken: join(dataDir, 'admin-token'),
  };
}

export interface DataDirSecrets {
  /** 32 bytes, base64: the gateway's AVIARY_SECRET_KEY (encrypts webhook secrets at rest). */
  secretKey: string;
  /** The first admin token, unless AVIARY_ADMIN_TOKEN was given. */
  adminToken: string | undefined;
  /** True when this start generated the admin token (it is printed this once). */
  adminTokenCreated: boolean;
}

async function readOrCreate(
  file: string,
  create: () => string,
): Promise<{ value: string; created: boolean }> {
  try {
    return { value: (await readFile(file, 'utf8')).trim(), created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const value = create();
  // Only the user who runs Aviary may read them: they unlock the API and the stored webhook secrets.
  await writeFile(file, `${value}\n`, { mode: 0o600, flag: 'wx' });
  await chmod(file, 0o600);
  return { value, created: true };
}

/**
 * Makes the data directory (private to the user) and the secrets a first start generates and later
 * starts reuse: the secret key, and the admin token when none is given.
 */
export async function prepareDataDir(
  dataDir: string,
  presetAdminToken: string | undefined,
): Promise<DataDirSecrets> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const paths = dataPaths(dataDir);
  const secretKey = await readOrCreate(paths.secretKey, () => randomBytes(32).toString('base64'));
  if (presetAdminToken !== undefined)
    return { secretKey: secretKey.value, adminToken: undefined, adminTokenCreated: false };
  const adminToken = await readOrCreate(
    paths.adminToken,
    () => `avt_${randomBytes(32).toString('base64url')}`,
  );
  return { secretKey: secretKey.value, adminToken: adminToken.value, adminTokenCreated: adminToken.created };
}

/** The admin token a first start stored in `dataDir`, if any (what the demo logs in with). */
export async function storedAdminToken(dataDir: string): Promise<string | undefined> {
  try {
    return (await readFile(dataPaths(dataDir).adminToken, 'utf8')).trim() || undefined;
  } catch {
    return undefined;
  }
}

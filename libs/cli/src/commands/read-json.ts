import { readFile } from 'node:fs/promises';

/** A file read as JSON, or the reason it could not be (for an exit-2 message). */
export async function readJsonFile(
  file: string,
): Promise<{ ok: true; json: unknown } | { ok: false; reason: string }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      ok: false,
      reason: `cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
    };
  }
  try {
    return { ok: true, json: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, reason: `${file} is not JSON: ${(error as Error).message}` };
  }
}

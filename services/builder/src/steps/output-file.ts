/** Reads `name=value` lines (the `$AVIARY_OUTPUT` file of a step): the declared names, and those it ignored. */
export function parseOutputFile(
  text: string,
  declared: readonly string[],
): { outputs: Record<string, string>; ignored: string[] } {
  const outputs: Record<string, string> = {};
  const ignored: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.length === 0 || line.startsWith('#')) continue;
    const at = line.indexOf('=');
    const name = at > 0 ? line.slice(0, at).trim() : line;
    if (at <= 0 || !declared.includes(name)) {
      ignored.push(name);
      continue;
    }
    outputs[name] = line.slice(at + 1);
  }
  return { outputs, ignored };
}

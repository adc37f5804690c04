/** One thing wrong with a pipeline file, where it is, and what to do about it. */
export interface PipelineError {
  /** Where in the document: `stages[3].dependsOn[0]`, or `(root)`. */
  path: string;
  /** 1-based line and column in the YAML text. */
  line: number;
  column: number;
  message: string;
  hint?: string;
}

/** One error a line: `file:line:column  path  message (hint)`. */
export function formatErrors(errors: readonly PipelineError[], fileName: string): string {
  return errors
    .map((error) => {
      const hint = error.hint === undefined ? '' : ` (${error.hint})`;
      return `${fileName}:${error.line}:${error.column}  ${error.path}  ${error.message}${hint}`;
    })
    .join('\n');
}

/** One thing wrong with a pipeline file, where it is, and what to do about it. */
export interface PipelineError {
  /** The file, when parsePipeline was told its name. */
  file?: string;
  /** Where in the document: `stages[3].dependsOn[0]`, or `(root)`. */
  path: string;
  /** 1-based line and column in the YAML text. */
  line: number;
  column: number;
  message: string;
  hint?: string;
}

/** One error a line: `file:line:column  path  message (hint)`; the file name given wins over the errors'. */
export function formatErrors(errors: readonly PipelineError[], fileName?: string): string {
  return errors
    .map((error) => {
      const hint = error.hint === undefined ? '' : ` (${error.hint})`;
      const file = fileName ?? error.file ?? 'pipeline.yaml';
      return `${file}:${error.line}:${error.column}  ${error.path}  ${error.message}${hint}`;
    })
    .join('\n');
}

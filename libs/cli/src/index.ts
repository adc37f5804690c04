export { runCli, createProgram } from './program.js';
export { EXIT, type CommandResult } from './command-result.js';
export { type CliIo, processIo } from './cli-io.js';
export { renderPipeline } from './commands/render-pipeline.js';

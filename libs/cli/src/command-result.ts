/** Exit codes every command shares. */
export const EXIT = { ok: 0, invalid: 1, unreadable: 2 } as const;

/** What a command's action reports back to runCli. */
export interface CommandResult {
  exitCode: number;
}

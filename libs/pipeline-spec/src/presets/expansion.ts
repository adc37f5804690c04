/** Where a setting of an expanded stage came from in the preset's arguments, for error positions. */
export interface SettingsOrigin {
  stageIndex: number;
  /** A key of the expanded stage (a setting or `if`). */
  key: string;
  /** Path of the preset argument it came from. */
  path: (string | number)[];
}

/** A preset written out as an explicit pipeline document, which then goes through the same checks. */
export interface PresetExpansion {
  document: Record<string, unknown>;
  origins: SettingsOrigin[];
}

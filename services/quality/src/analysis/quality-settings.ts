import { type StageCommandData } from '@aviary/events';
import { QualityGateSettings } from '@aviary/pipeline-spec';
import { type z } from 'zod';

/** Settings that cannot be used: the stage fails, and retrying will not help. */
export class InvalidQualitySettingsError extends Error {
  override readonly name = 'InvalidQualitySettingsError';
}

export type QualitySettings = z.output<typeof QualityGateSettings>;

/** The stage's settings as the orchestrator sent them (references resolved), checked again here. */
export function qualitySettings(command: StageCommandData): QualitySettings {
  const parsed = QualityGateSettings.safeParse(command.settings);
  if (!parsed.success)
    throw new InvalidQualitySettingsError(
      `invalid quality-gate settings: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(settings)'}: ${i.message}`).join('; ')}`,
    );
  const s = parsed.data;
  if (s.provider === 'sonarqube' && !s.sonarqube)
    throw new InvalidQualitySettingsError('provider sonarqube needs sonarqube.projectKey');
  if (s.mode === 'gate' && !s.analysis && Object.keys(s.reports).length === 0 && s.provider === 'aviary')
    throw new InvalidQualitySettingsError(
      'mode gate needs the analysis of a scan stage (analysis: ${stages.<scan>.outputs.analysisId}) or reports',
    );
  return s;
}

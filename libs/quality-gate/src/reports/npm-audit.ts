import { z } from 'zod';
import { AUDIT_SEVERITIES, type AuditReport } from './model.js';
import { parseJson, ReportError, shapeProblem } from './report-error.js';

const Severity = z.enum(AUDIT_SEVERITIES);
const Counts = z.object({
  info: z.number().int().min(0).default(0),
  low: z.number().int().min(0).default(0),
  moderate: z.number().int().min(0).default(0),
  high: z.number().int().min(0).default(0),
  critical: z.number().int().min(0).default(0),
});
const Advisory = z.object({ title: z.string().optional(), url: z.string().optional() });
/** npm 7 and later (`auditReportVersion: 2`). */
const V2 = z.object({
  auditReportVersion: z.literal(2),
  vulnerabilities: z.record(
    z.string(),
    z.object({
      name: z.string(),
      severity: Severity,
      via: z.array(z.union([z.string(), Advisory])).default([]),
    }),
  ),
  metadata: z.object({ vulnerabilities: Counts }),
});
/** npm 6 (`advisories` by id). */
const V1 = z.object({
  advisories: z.record(
    z.string(),
    z.object({
      module_name: z.string(),
      severity: Severity,
      title: z.string().optional(),
      url: z.string().optional(),
    }),
  ),
  metadata: z.object({ vulnerabilities: Counts }),
});
/** What npm writes when the audit itself failed (no registry endpoint, no lock file). */
const Failure = z.object({
  error: z.object({ code: z.string().nullable().optional(), summary: z.string().optional() }).optional(),
  message: z.string().optional(),
});

/** `npm audit --json`: vulnerable packages by severity (npm 7+ and npm 6 formats). */
export function parseNpmAudit(file: string, text: string): AuditReport {
  const json = parseJson(file, text);
  const v2 = V2.safeParse(json);
  if (v2.success) {
    const packages = Object.values(v2.data.vulnerabilities).map((v) => {
      const advisory = v.via.find((via): via is z.infer<typeof Advisory> => typeof via === 'object');
      return {
        name: v.name,
        severity: v.severity,
        ...(advisory?.title ? { title: advisory.title } : {}),
        ...(advisory?.url ? { url: advisory.url } : {}),
      };
    });
    return {
      kind: 'audit',
      counts: v2.data.metadata.vulnerabilities,
      packages,
    };
  }
  const v1 = V1.safeParse(json);
  if (v1.success)
    return {
      kind: 'audit',
      counts: v1.data.metadata.vulnerabilities,
      packages: Object.values(v1.data.advisories).map((a) => ({
        name: a.module_name,
        severity: a.severity,
        ...(a.title ? { title: a.title } : {}),
        ...(a.url ? { url: a.url } : {}),
      })),
    };
  const failure = Failure.safeParse(json);
  if (failure.success && (failure.data.message || failure.data.error))
    throw new ReportError(
      file,
      `npm audit did not run: ${failure.data.message ?? failure.data.error?.summary ?? failure.data.error?.code ?? 'error'}`,
    );
  throw new ReportError(file, shapeProblem('an npm audit JSON report', v2.error.issues));
}

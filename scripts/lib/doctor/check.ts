// The shape of one doctor check and of the whole report.

export type Status = 'ok' | 'warn' | 'fail';
export type Mode = 'cluster' | 'local';

export type CheckId = 'node' | 'dependencies' | 'build' | 'psql' | 'tls' | 'credentials' | 'region';

export interface Check {
  id: CheckId;
  status: Status;
  /** Needed for the chosen mode: a failed required check makes the doctor exit 1. */
  required: boolean;
  /** One line: what was found. */
  summary: string;
  /** More lines worth knowing (sources skipped, caveats). */
  details: string[];
  /** The exact action that fixes a warn or fail. */
  fix?: string;
  data: Record<string, unknown>;
}

/** A check before the mode decides whether it is required. */
export type Finding = Omit<Check, 'id' | 'required' | 'details'> & { details?: string[] };

export function check(id: CheckId, required: boolean, finding: Finding): Check {
  return { id, required, details: [], ...finding };
}

/** Compares dotted version strings numerically: -1, 0 or 1. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((n) => Number.parseInt(n, 10) || 0);
  const pb = b.split('.').map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

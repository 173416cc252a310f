// The acknowledgment: the few facts of the artifact that matter to this skill, and one or two
// bold sentences that cite them (the handoff protocol asks for exactly that, not a recital).
import type { DominantShape, HardConstraint, MigrationContext, Need, Requirements } from './artifact.js';

export interface Acknowledgment {
  /** One or two bold Markdown sentences for the user. */
  text: string;
  dominant_shapes: DominantShape[];
  hard_constraints: Pick<HardConstraint, 'kind' | 'statement'>[];
  migration_context: MigrationContext;
  regions: string[];
  multi_region_strong_consistency: Need | null;
  serverless: Need | null;
}

/** Free text goes inside **bold**: drop what would end the emphasis or open code. */
const plain = (text: string): string => text.replace(/[*`]/g, '').replace(/\s+/g, ' ').trim();
const code = (value: string): string => `\`${value}\``;

export function joinWords(items: string[]): string {
  if (items.length <= 2) return items.join(' and ');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

export function shapeText(s: DominantShape): string {
  return s.share_pct === undefined ? code(s.shape) : `${code(s.shape)} (${s.share_pct}%)`;
}

export function migrationText(m: MigrationContext): string {
  const source = m.source_engine ? `${code(m.source_engine)}${m.source_version ? ` ${plain(m.source_version)}` : ''}` : '';
  const size = m.data_size_gb === undefined ? '' : `, ${m.data_size_gb.toLocaleString('en-US')} GB`;
  if (m.kind === 'new_build') return 'a new build';
  if (m.kind === 'migration') return `a migration from ${source || 'an existing database'}${size}`;
  return `a modernization of an existing ${source ? `${source} ` : ''}application${size}`;
}

const MAX_CONSTRAINTS_IN_TEXT = 3;

function constraintsText(constraints: HardConstraint[]): string {
  if (constraints.length === 0) return 'no hard constraints';
  const shown = constraints.slice(0, MAX_CONSTRAINTS_IN_TEXT).map((c) => `"${plain(c.statement).replace(/\.$/, '')}"`);
  const more = constraints.length - shown.length;
  const label = constraints.length === 1 ? 'the hard constraint' : 'hard constraints';
  return `${label} ${joinWords(more > 0 ? [...shown, `${more} more`] : shown)}`;
}

export function acknowledge(req: Requirements): Acknowledgment {
  const shapes = req.workload_primaries.dominant_shapes;
  const regions = req.regions ? [req.regions.primary, ...(req.regions.additional ?? [])] : [];
  const strong = req.consistency?.multi_region_strong ?? null;
  const serverless = req.operations?.serverless ?? null;

  const first = `**The requirements describe a ${joinWords(shapes.map(shapeText))} workload, ${migrationText(req.migration_context)}, with ${constraintsText(req.hard_constraints)}.**`;

  const needs: string[] = [];
  if (strong && strong !== 'unknown') needs.push(`multi-Region strong consistency ${code(strong)}`);
  if (serverless && serverless !== 'unknown') needs.push(`serverless operation ${code(serverless)}`);
  let second = '';
  if (regions.length || needs.length) {
    const where = regions.length ? `It targets ${joinWords(regions.map(code))}` : 'It asks for';
    const what = needs.length ? `${regions.length ? ', with ' : ' '}${joinWords(needs)}` : '';
    second = ` **${where}${what}.**`;
  }

  return {
    text: first + second,
    dominant_shapes: shapes,
    hard_constraints: req.hard_constraints.map(({ kind, statement }) => ({ kind, statement })),
    migration_context: req.migration_context,
    regions,
    multi_region_strong_consistency: strong,
    serverless,
  };
}

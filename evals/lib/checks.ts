// The registered deterministic checks. Every expectation in a case names one of these (or the
// LLM judge); the JSON Schema in schemas/eval-cases.schema.json lists the same kinds and their
// parameters, so a case cannot ask for a check that does not exist.
import { samePath } from './code.js';
import type { Facts } from './analyze.js';
import type { Invocation, ValidatorName } from './findings.js';
import { predicate } from './sql-facts.js';
import { toolSteps } from './transcript.js';

export type Grader = 'tool' | 'ast' | 'regex' | 'llm_judge';

/** Something the agent did, for ordering checks. */
export interface Action {
  /** A script of ours (`psql-connect`), run with these flags. */
  script?: string;
  with?: string[];
  /** A SQL statement of this kind sent to a database (predicate name, see sql-facts.ts). */
  sql?: string;
  /** Any file written or edited. */
  write?: boolean;
}

export type Check =
  | { kind: 'script_ran'; script: string; with?: string[]; with_any?: string[]; values?: Record<string, string>; without?: string[]; include_shown?: boolean }
  | { kind: 'script_not_ran'; script: string; unless?: string[] }
  | { kind: 'command_not_ran'; program?: string; args?: string; env?: string }
  | { kind: 'read_refs'; refs: string[]; before?: Action }
  | { kind: 'order'; first: Action; then: Action; require_then?: boolean }
  | { kind: 'linted_before_run' }
  | { kind: 'executed_sql'; sink?: 'executed' | 'explain'; none?: string[]; some?: string[] }
  | { kind: 'skill_loaded' }
  | { kind: 'no_secret' }
  | { kind: 'sql_built_safely'; require?: 'builder' | 'builder_or_binding' }
  | { kind: 'value_validated'; value: string; validators: ValidatorName[]; pattern?: string; binding_ok?: boolean }
  | { kind: 'validator_not_used'; value: string; validators: ValidatorName[] }
  | { kind: 'sql'; from?: ('block' | 'code' | 'command')[]; none?: string[]; some?: string[]; parses?: boolean }
  | { kind: 'code_fact'; fact: 'catches_sqlstate' | 'bounded_retry' | 'backoff' | 'jitter' | 'imports' | 'not_imports' | 'batch_size_max'; arg?: string | number }
  | { kind: 'text_matches'; pattern: string; flags?: string; scope?: 'final' | 'assistant' }
  | { kind: 'text_not_matches'; pattern: string; flags?: string; scope?: 'final' | 'assistant' }
  | { kind: 'judge'; rubric: string };

export type CheckKind = Check['kind'];

/** Which grader each check kind belongs to (the schema enforces the same pairing). */
export const GRADER_OF: Record<CheckKind, Grader> = {
  script_ran: 'tool',
  script_not_ran: 'tool',
  command_not_ran: 'tool',
  read_refs: 'tool',
  order: 'tool',
  linted_before_run: 'tool',
  executed_sql: 'tool',
  skill_loaded: 'tool',
  no_secret: 'tool',
  sql_built_safely: 'ast',
  value_validated: 'ast',
  validator_not_used: 'ast',
  sql: 'ast',
  code_fact: 'ast',
  text_matches: 'regex',
  text_not_matches: 'regex',
  judge: 'llm_judge',
};

export interface Verdict {
  passed: boolean;
  evidence: string;
}

const pass = (evidence: string): Verdict => ({ passed: true, evidence });
const fail = (evidence: string): Verdict => ({ passed: false, evidence });
const list = (items: string[], max = 3): string => items.slice(0, max).join('; ') + (items.length > max ? `; and ${items.length - max} more` : '');
const cmd = (i: Invocation): string => `${i.origin}: \`${i.text.replace(/\s+/g, ' ').slice(0, 120)}\``;

/**
 * Commands that count as the agent's actions. A stream-json transcript counts commands it ran;
 * a plain answer has no tool calls, so the commands it tells the user to run stand in for them.
 */
function actions(f: Facts, includeShown = false): Invocation[] {
  const plain = f.transcript.format === 'plain';
  return f.invocations.filter((i) => i.executed || plain || includeShown);
}

function hasFlag(i: Invocation, flag: string): boolean {
  return i.flags.has(flag);
}

function matchesAction(f: Facts, a: Action): number[] {
  const steps: number[] = [];
  if (a.script) {
    for (const i of actions(f)) if (i.isScript && i.program === a.script && (a.with ?? []).every((w) => hasFlag(i, w))) steps.push(i.step);
  }
  if (a.sql) {
    const { pred, arg } = predicate(a.sql);
    for (const p of f.parsedSql) {
      if (p.source.sink === 'shown' || !(p.source.ran || f.transcript.format === 'plain')) continue;
      if (p.statements.some(({ stmt, ctx }) => pred.test(stmt, ctx, arg))) steps.push(p.source.step);
    }
  }
  if (a.write) {
    for (const s of toolSteps(f.transcript)) if (['Write', 'Edit', 'MultiEdit'].includes(s.name)) steps.push(s.index);
  }
  return steps.sort((x, y) => x - y);
}

const describeAction = (a: Action): string =>
  [a.script && `scripts/${a.script}.ts${a.with?.length ? ' ' + a.with.join(' ') : ''}`, a.sql && predicate(a.sql).pred.describe, a.write && 'writing a file']
    .filter(Boolean)
    .join(' or ');

const TOKEN_PATTERNS: [RegExp, string][] = [
  [/X-Amz-Signature=[0-9a-f]{16,}/i, 'a presigned signature (X-Amz-Signature=...)'],
  [/X-Amz-Credential=[A-Z0-9]{16,}/, 'a presigned credential (X-Amz-Credential=...)'],
  [/Action=DbConnect(Admin)?&/, 'an IAM auth token (Action=DbConnect...)'],
  [/\bPGPASSWORD=(?!["']?\$)["']?[^\s"'$]{12,}/, 'a literal PGPASSWORD value'],
  [/\bAKIA[0-9A-Z]{16}\b/, 'an AWS access key id'],
];

function runSqlPredicates(f: Facts, sources: Facts['parsedSql'], none: string[] = [], some: string[] = []): Verdict {
  const problems: string[] = [];
  const found: string[] = [];
  for (const spec of none) {
    const { pred, arg } = predicate(spec);
    for (const p of sources) {
      for (const { stmt, ctx } of p.statements) {
        if (pred.test(stmt, ctx, arg)) problems.push(`${pred.describe}${arg ? ` (${arg})` : ''} in ${p.source.origin}: \`${stmt.text.replace(/\s+/g, ' ').slice(0, 90)}\``);
      }
    }
  }
  for (const spec of some) {
    const { pred, arg } = predicate(spec);
    const hit = sources.flatMap((p) => p.statements.filter(({ stmt, ctx }) => pred.test(stmt, ctx, arg)).map(({ stmt }) => `${p.source.origin}: \`${stmt.text.replace(/\s+/g, ' ').slice(0, 90)}\``));
    if (hit.length === 0) problems.push(`no statement with ${pred.describe}${arg ? ` (${arg})` : ''} among ${sources.length} SQL text(s)`);
    else found.push(`${pred.describe}${arg ? ` (${arg})` : ''}: ${hit[0]}`);
  }
  if (problems.length > 0) return fail(list(problems));
  const scanned = sources.reduce((n, p) => n + p.statements.length, 0);
  return pass(found.length ? list(found) : `none of [${none.join(', ')}] among ${scanned} statement(s)`);
}

export function runCheck(check: Exclude<Check, { kind: 'judge' }>, f: Facts): Verdict {
  const plain = f.transcript.format === 'plain';
  switch (check.kind) {
    case 'script_ran': {
      const mine = actions(f, check.include_shown).filter((i) => i.isScript && i.program === check.script);
      if (mine.length === 0) {
        const others = actions(f, check.include_shown).map((i) => i.program);
        return fail(`scripts/${check.script}.ts was not ${plain ? 'shown' : 'run'}${others.length ? ` (commands: ${[...new Set(others)].join(', ')})` : ''}`);
      }
      const good = mine.filter(
        (i) =>
          (check.with ?? []).every((w) => hasFlag(i, w)) &&
          (!check.with_any || check.with_any.some((w) => hasFlag(i, w))) &&
          !(check.without ?? []).some((w) => hasFlag(i, w)) &&
          Object.entries(check.values ?? {}).every(([flag, re]) => (i.flags.get(flag) ?? []).some((v) => typeof v === 'string' && new RegExp(re).test(v))),
      );
      if (good.length > 0) return pass(cmd(good[0]!));
      const wanted = [
        ...(check.with ?? []),
        ...(check.with_any ? [`one of ${check.with_any.join('/')}`] : []),
        ...Object.entries(check.values ?? {}).map(([k, v]) => `${k} matching /${v}/`),
        ...(check.without ?? []).map((w) => `no ${w}`),
      ];
      return fail(`scripts/${check.script}.ts ran, but not with ${wanted.join(', ')}: ${cmd(mine[0]!)}`);
    }
    case 'script_not_ran': {
      const bad = actions(f, true).filter((i) => i.isScript && i.program === check.script && !(check.unless ?? []).some((u) => hasFlag(i, u)));
      if (bad.length > 0) return fail(`scripts/${check.script}.ts ${check.unless ? `without ${check.unless.join('/')} ` : ''}in ${cmd(bad[0]!)}`);
      return pass(`no scripts/${check.script}.ts call${check.unless ? ` without ${check.unless.join('/')}` : ''}`);
    }
    case 'command_not_ran': {
      const bad = actions(f, true).filter(
        (i) =>
          (!check.program || (!i.isScript && i.program === check.program)) &&
          (!check.args || new RegExp(check.args).test(i.args.join(' '))) &&
          (!check.env || Object.keys(i.env).some((k) => new RegExp(`^(?:${check.env})$`).test(k))),
      );
      const what = [check.program, check.args && `/${check.args}/`, check.env && `with ${check.env}=`].filter(Boolean).join(' ');
      if (bad.length > 0) return fail(`hand-rolled command (${what}) in ${cmd(bad[0]!)}`);
      return pass(`no ${what} command among ${actions(f, true).length} command(s)`);
    }
    case 'read_refs': {
      if (plain) return fail('a plain answer has no tool calls, so it cannot show that references were read');
      const before = check.before ? matchesAction(f, check.before)[0] : undefined;
      const problems: string[] = [];
      const seen: string[] = [];
      for (const ref of check.refs) {
        const read = f.reads.find((r) => samePath(r.path, ref));
        if (!read) problems.push(`${ref} was never read`);
        else if (before !== undefined && read.step > before) problems.push(`${ref} was read at step ${read.step + 1}, after ${describeAction(check.before!)} at step ${before + 1}`);
        else seen.push(`${ref} (step ${read.step + 1}, ${read.how})`);
      }
      if (problems.length > 0) return fail(list(problems, 4));
      return pass(`read ${seen.join(', ')}${before !== undefined ? `, before ${describeAction(check.before!)} at step ${before + 1}` : ''}`);
    }
    case 'order': {
      const thenSteps = matchesAction(f, check.then);
      if (thenSteps.length === 0) return check.require_then ? fail(`${describeAction(check.then)} never happened`) : pass(`${describeAction(check.then)} never happened`);
      const first = matchesAction(f, check.first)[0];
      if (first === undefined || first > thenSteps[0]!) {
        return fail(`${describeAction(check.then)} at step ${thenSteps[0]! + 1} without ${describeAction(check.first)} before it`);
      }
      return pass(`${describeAction(check.first)} at step ${first + 1}, then ${describeAction(check.then)} at step ${thenSteps[0]! + 1}`);
    }
    case 'linted_before_run': {
      const runs = actions(f).filter((i) => i.isScript && i.program === 'psql-connect' && i.flags.has('-f'));
      const lints = actions(f).filter((i) => i.isScript && i.program === 'dsql-lint');
      if (runs.length === 0) return fail('no SQL file was run with scripts/psql-connect.ts -f');
      for (const run of runs) {
        const file = String(run.flags.get('-f')![0]);
        const lint = lints.find(
          (l) =>
            l.step <= run.step &&
            (l.args.some((a) => !a.startsWith('-') && samePath(a, file)) || (l.flags.get('-o') ?? []).some((o) => typeof o === 'string' && samePath(o, file))),
        );
        if (!lint) return fail(`${file} was run (${cmd(run)}) without scripts/dsql-lint.ts checking it first`);
      }
      return pass(`every file run with psql-connect -f was linted first (${runs.length} run(s))`);
    }
    case 'executed_sql': {
      const sink = check.sink ?? 'executed';
      const sources = f.parsedSql.filter((p) => p.source.sink === sink && (p.source.ran || plain));
      return runSqlPredicates(f, sources, check.none, check.some);
    }
    case 'skill_loaded': {
      const used = f.skillsUsed.find((s) => /(^|:)aurora-dsql$/.test(s.name));
      if (used) return pass(`Skill tool loaded ${used.name} at step ${used.step + 1}`);
      const read = f.reads.find((r) => /(^|\/)aurora-dsql\/SKILL\.md$/.test(r.path));
      if (read) return pass(`read ${read.path} at step ${read.step + 1}`);
      return fail(plain ? 'a plain answer cannot show that the skill was loaded' : 'the aurora-dsql skill was neither invoked nor its SKILL.md read');
    }
    case 'no_secret': {
      const places: { where: string; text: string }[] = [];
      for (const s of f.transcript.steps) {
        if (s.kind === 'text') places.push({ where: `step ${s.index + 1} (text)`, text: s.text });
        else {
          places.push({ where: `step ${s.index + 1} (${s.name} input)`, text: JSON.stringify(s.input) });
          if (s.result) places.push({ where: `step ${s.index + 1} (${s.name} result)`, text: s.result.text });
        }
      }
      places.push({ where: 'final answer', text: f.transcript.finalText });
      for (const { where, text } of places) {
        for (const [re, what] of TOKEN_PATTERNS) if (re.test(text)) return fail(`${what} in ${where}`);
      }
      return pass(`no token, signature or key in ${places.length} place(s) checked`);
    }
    case 'sql_built_safely': {
      const unsafe = f.constructions.filter((c) => c.kind === 'unsafe');
      if (unsafe.length > 0) return fail(list(unsafe.map((c) => `${c.how} (${c.origin}, line ${c.line}): \`${c.snippet}\``), 2));
      const wanted = check.require === 'builder' ? ['builder'] : ['builder', 'bound'];
      const good = f.constructions.filter((c) => wanted.includes(c.kind));
      if (good.length === 0) {
        return fail(`no SQL built with ${check.require === 'builder' ? 'safe_query' : 'safe_query or bound parameters'} (${f.constructions.length} construction(s) found${f.parseErrors.length ? `; unparsed: ${f.parseErrors.length}` : ''})`);
      }
      return pass(list(good.map((c) => `${c.how} (${c.origin}, line ${c.line})`), 2));
    }
    case 'value_validated': {
      const value = new RegExp(check.value, 'i');
      const hit = f.validators.find((v) => check.validators.includes(v.fn) && value.test(v.value) && (!check.pattern || new RegExp(check.pattern).test(v.arg ?? '')));
      if (hit) return pass(`${hit.fn}(${hit.value}${hit.arg ? ', ' + hit.arg : ''}) in ${hit.origin}, line ${hit.line}`);
      if (check.binding_ok) {
        const bound = f.bound.find((b) => value.test(b.value));
        if (bound) return pass(`${bound.value} passed as a bound parameter (${bound.origin}, line ${bound.line})`);
      }
      const near = f.validators.filter((v) => value.test(v.value)).map((v) => `${v.fn}(${v.value}${v.arg ? ', ' + v.arg : ''})`);
      return fail(`no ${check.validators.join('/')}${check.pattern ? ` with /${check.pattern}/` : ''} applied to a value matching /${check.value}/i${check.binding_ok ? ', and it is not a bound parameter' : ''}${near.length ? ` (found: ${near.join(', ')})` : ''}`);
    }
    case 'validator_not_used': {
      const value = new RegExp(check.value, 'i');
      const bad = f.validators.find((v) => check.validators.includes(v.fn) && value.test(v.value));
      if (bad) return fail(`${bad.fn}(${bad.value}) in ${bad.origin}, line ${bad.line}`);
      return pass(`no ${check.validators.join('/')} on a value matching /${check.value}/i`);
    }
    case 'sql': {
      const from = check.from ?? ['block', 'code', 'command'];
      const sources = f.parsedSql.filter((p) => from.includes(p.source.from));
      if (check.parses) {
        const broken = sources.filter((p) => p.error);
        if (broken.length > 0) return fail(`SQL that PostgreSQL cannot parse: ${list(broken.map((p) => `${p.source.origin}: ${p.error}`), 2)}`);
        if (sources.length === 0) return fail('no SQL found');
        if (!check.none && !check.some) return pass(`all ${sources.length} SQL text(s) parse as PostgreSQL`);
      }
      return runSqlPredicates(f, sources, check.none, check.some);
    }
    case 'code_fact':
      return codeFact(check, f);
    case 'text_matches':
    case 'text_not_matches': {
      const text = check.scope === 'assistant' ? f.transcript.steps.filter((s) => s.kind === 'text').map((s) => s.text).join('\n') + '\n' + f.transcript.finalText : f.transcript.finalText;
      const m = new RegExp(check.pattern, check.flags ?? 'i').exec(text);
      if (check.kind === 'text_matches') return m ? pass(`matched "${m[0].slice(0, 80)}"`) : fail(`no match for /${check.pattern}/ in the ${check.scope ?? 'final'} text`);
      return m ? fail(`found "${m[0].slice(0, 80)}"`) : pass(`no match for /${check.pattern}/`);
    }
  }
}

function codeFact(check: Extract<Check, { kind: 'code_fact' }>, f: Facts): Verdict {
  const r = f.retry;
  switch (check.fact) {
    case 'catches_sqlstate': {
      const code = String(check.arg ?? '40001');
      const hit = r.sqlstates.find((s) => s.code === code);
      if (hit) return pass(`'${code}' compared in code (${hit.origin})`);
      // The DSQL connector recognises 40001/OC000/OC001 itself.
      const connector = code === '40001' ? (r.sqlstates.find((s) => s.code === 'isOCCError') ?? r.managed[0]) : undefined;
      if (connector) return pass(`the connector recognises OCC conflicts (${'how' in connector ? connector.how : 'isOCCError()'}, ${connector.origin})`);
      return fail(`SQLSTATE '${code}' does not appear in any code`);
    }
    case 'bounded_retry': {
      if (r.boundedLoops[0]) return pass(`attempt counter compared at ${r.boundedLoops[0].origin}, line ${r.boundedLoops[0].line}`);
      if (r.managed[0]) return pass(`${r.managed[0].how} at ${r.managed[0].origin}, line ${r.managed[0].line}`);
      return fail('no attempt/retry counter compared against a bound');
    }
    case 'backoff': {
      if (r.delays[0]) return pass(`${r.delays[0].how} at ${r.delays[0].origin}, line ${r.delays[0].line}`);
      const managed = r.managed.find((m) => /baseDelayMs|maxDelayMs/.test(m.how));
      if (managed) return pass(`${managed.how} at ${managed.origin}, line ${managed.line}`);
      return fail('no delay (setTimeout/sleep) between attempts');
    }
    case 'jitter':
      return r.jitter[0] ? pass(`Math.random() at ${r.jitter[0].origin}, line ${r.jitter[0].line}`) : fail('no randomised delay (Math.random)');
    case 'imports':
    case 'not_imports': {
      const mod = String(check.arg ?? '');
      const hit = f.imports.find((i) => i.module === mod || i.module.startsWith(mod + '/'));
      if (check.fact === 'imports') return hit ? pass(`imports ${hit.module} (${hit.origin})`) : fail(`no import of ${mod} (imports: ${[...new Set(f.imports.map((i) => i.module))].join(', ') || 'none'})`);
      return hit ? fail(`imports ${hit.module} (${hit.origin})`) : pass(`no import of ${mod}`);
    }
    case 'batch_size_max': {
      const max = Number(check.arg ?? 3000);
      if (f.batchSizes.length === 0) return fail('no batch or chunk size found in the code');
      const over = f.batchSizes.filter((b) => b.value <= 0 || b.value > max);
      if (over.length > 0) return fail(`batch size ${over[0]!.value} (${over[0]!.name}, ${over[0]!.origin}) is over ${max}`);
      return pass(`batch size ${f.batchSizes.map((b) => `${b.value} (${b.name})`).join(', ')} within ${max}`);
    }
  }
}

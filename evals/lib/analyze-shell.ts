// Shell commands (run by the agent, or shown in an answer), read with the tree-sitter Bash
// grammar: which programs and scripts ran with which flags, what SQL reached a database and
// how it was made (safe_query's command line, fixed text, or shell interpolation), which
// files were read, and files written through heredocs.
import type { CodeUnit } from './code.js';
import { samePath } from './code.js';
import { fillPlaceholders } from './analyze-ts.js';
import { looksLikeSql, parseOrRecord, snippet, type Analysis, type Invocation, type ValidatorName } from './findings.js';
import { parseShell, type TsNode } from './parsers.js';

/** A file whose content is known: written by the agent, or produced by safe_query -o. */
export interface KnownFile {
  path: string;
  content: string;
  step: number;
  builtBy?: 'safe_query';
}

interface Word {
  /** Literal text; each expansion appears as its source text ($X, $(cmd)). */
  text: string;
  /** No expansion anywhere. */
  isStatic: boolean;
  parts: { dynamic: boolean; text: string }[];
}

const DYNAMIC = new Set(['simple_expansion', 'expansion', 'command_substitution', 'process_substitution', 'arithmetic_expansion']);

function evalWord(node: TsNode): Word {
  const parts: Word['parts'] = [];
  const add = (n: TsNode) => {
    if (DYNAMIC.has(n.type)) parts.push({ dynamic: true, text: n.text });
    else if (n.type === 'raw_string') parts.push({ dynamic: false, text: n.text.slice(1, -1) });
    else if (n.type === 'ansi_c_string') parts.push({ dynamic: false, text: n.text.slice(2, -1) });
    else if (n.type === 'string') {
      for (const c of n.children) {
        if (!c || c.type === '"') continue;
        if (DYNAMIC.has(c.type)) parts.push({ dynamic: true, text: c.text });
        else parts.push({ dynamic: false, text: c.text.replace(/\\([$`"\\\n])/g, '$1') });
      }
    } else if (n.type === 'concatenation' || n.type === 'command_name') {
      for (const c of n.children) if (c) add(c);
    } else if (n.type === 'word') parts.push({ dynamic: false, text: n.text.replace(/\\(.)/g, '$1') });
    else parts.push({ dynamic: false, text: n.text });
  };
  add(node);
  return { text: parts.map((p) => p.text).join(''), isStatic: parts.every((p) => !p.dynamic), parts };
}

/** Flags that never take a value (everything else written `--flag value` takes the next word). */
const BOOLEAN_FLAGS = new Set([
  '--admin', '--read-only', '--local', '--json', '--fix', '--force', '--yes', '--dry-run', '--no-wait', '--no-deletion-protection',
  '--disable-deletion-protection', '--skip-cert-verify', '--help', '--memory', '--tls', '--allow-meta', '--verbose', '--quiet', '--version',
]);
/** Short flags that take a value, per program. */
const SHORT_VALUE: Record<string, Set<string>> = {
  default: new Set(['-c', '-f', '-o', '-t', '-U']),
  psql: new Set(['-c', '-f', '-h', '-p', '-U', '-d', '-v', '-o', '-P', '-L', '-T', '-F', '-R']),
};

/** Long and short spellings of the same flag, stored under one name so checks need only one. */
const ALIASES: Record<string, string> = { '--command': '-c', '--file': '-f', '--output': '-o', '--template': '-t' };

export function parseFlags(program: string, args: string[]): Map<string, (string | true)[]> {
  const flags = new Map<string, (string | true)[]>();
  const put = (k: string, v: string | true) => {
    const key = ALIASES[k] ?? (k === '-U' && program !== 'psql' ? '--user' : k);
    flags.set(key, [...(flags.get(key) ?? []), v]);
  };
  const shortValue = SHORT_VALUE[program] ?? SHORT_VALUE.default!;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') break;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) put(a.slice(0, eq), a.slice(eq + 1));
      else if (BOOLEAN_FLAGS.has(a) || a.startsWith('--no-') || i + 1 >= args.length || (args[i + 1]!.startsWith('-') && args[i + 1] !== '-')) put(a, true);
      else put(a, args[++i]!);
    } else if (/^-[A-Za-z]/.test(a)) {
      const flag = a.slice(0, 2);
      if (shortValue.has(flag)) {
        if (a.length > 2) put(flag, a.slice(2));
        else if (i + 1 < args.length) put(flag, args[++i]!);
        else put(flag, true);
      } else put(a, true);
    }
  }
  return flags;
}

const SCRIPT = /(?:^|\/)scripts\/([A-Za-z_-]+)\.(?:ts|js|mjs)$/;

/** `scripts/x.ts`, `node scripts/x.ts`, `npx tsx scripts/x.ts`, `./scripts/x.ts` -> 'x' and its own arguments. */
function scriptOf(name: string, args: string[]): { script: string; args: string[] } | undefined {
  const direct = SCRIPT.exec(name);
  if (direct) return { script: direct[1]!, args };
  const runners = ['node', 'tsx', 'npx', 'bun', 'deno'];
  if (!runners.includes(name.replace(/^.*\//, ''))) return undefined;
  const i = args.findIndex((a) => SCRIPT.test(a));
  if (i < 0) return undefined;
  return { script: SCRIPT.exec(args[i]!)![1]!, args: args.slice(i + 1) };
}

const VALIDATOR_FLAGS: Record<string, ValidatorName> = {
  '--ident': 'ident', '--integer': 'integer', '--regex': 'regex', '--literal': 'literal', '--literal-file': 'literal', '--literal-env': 'literal', '--allow': 'allow', '--keyword': 'keyword',
};

const READERS = new Set(['cat', 'head', 'tail', 'less', 'more', 'bat', 'sed', 'awk', 'nl', 'view']);

function descendants(node: TsNode, type: string): TsNode[] {
  const found: TsNode[] = [];
  const go = (n: TsNode) => {
    if (n.type === type) found.push(n);
    for (const c of n.namedChildren) if (c) go(c);
  };
  go(node);
  return found;
}

interface Var {
  /** SQL text when known (fixed text, or the template of a safe_query call). */
  sql?: string;
  builtBy?: 'safe_query';
  word: Word;
}

/**
 * Analyses one shell unit. `files` holds the files known so far (the agent's writes); files made
 * here by heredocs or safe_query -o are added to it for later units.
 */
export function analyzeShell(unit: CodeUnit, files: KnownFile[], out: Analysis): void {
  const root = parseOrRecord(unit, out, parseShell);
  if (!root) return;
  const at = { origin: unit.origin, step: unit.step };
  const vars = new Map<string, Var>();
  const lineOf = (n: TsNode) => n.startPosition.row + 1;

  const findFile = (path: string): KnownFile | undefined => [...files].reverse().find((f) => f.step <= unit.step && samePath(f.path, path));

  /** The SQL a safe_query invocation builds, with placeholders filled for parsing. */
  const safeQuerySql = (inv: Invocation): string | undefined => {
    const template = inv.flags.get('-t')?.[0];
    let text: string | undefined = typeof template === 'string' ? template : undefined;
    const file = inv.flags.get('--template-file')?.[0];
    if (text === undefined && typeof file === 'string') text = findFile(file)?.content;
    if (text === undefined) return undefined;
    const kinds = new Map<string, string>();
    for (const [flag, fn] of Object.entries(VALIDATOR_FLAGS)) {
      for (const v of inv.flags.get(flag) ?? []) if (typeof v === 'string') kinds.set(v.split('=')[0]!, fn);
    }
    return fillPlaceholders(text, kinds);
  };

  /** SQL text of a word given to -c/--sql: fixed text, or a variable holding SQL. */
  const sqlOfWord = (word: Word): { sql?: string; builtBy?: 'safe_query' } => {
    if (word.isStatic) return { sql: word.text };
    if (word.parts.length === 1) {
      const name = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec(word.parts[0]!.text)?.[1];
      const v = name ? vars.get(name) : undefined;
      if (v) return { sql: v.sql, builtBy: v.builtBy };
      // -c "$(scripts/safe_query.ts ...)"
      if (/^\$\(/.test(word.parts[0]!.text) && /safe_query\.ts/.test(word.parts[0]!.text)) return { builtBy: 'safe_query' };
    }
    return { sql: word.parts.map((p) => (p.dynamic ? '__x__' : p.text)).join('') };
  };

  /** What a command reads on stdin: its heredoc or here-string, or what the previous pipeline stage prints. */
  const stdinOf = (cmd: TsNode): { sql?: string; builtBy?: 'safe_query'; word?: Word } | undefined => {
    for (const c of cmd.namedChildren) {
      if (c?.type === 'herestring_redirect') {
        const w = c.namedChildren[0];
        if (w) return { ...sqlOfWord(evalWord(w)), word: evalWord(w) };
      }
    }
    // `psql <<'SQL' ... SQL` or `cat <<EOF | psql`.
    for (let n: TsNode | null = cmd.parent; n; n = n.parent) {
      const here = n.type === 'heredoc_redirect' ? n : n.type === 'redirected_statement' ? n.namedChildren.find((c) => c?.type === 'heredoc_redirect') : undefined;
      const body = here?.namedChildren.find((c) => c?.type === 'heredoc_body');
      if (body) {
        const word = heredocWord(body);
        return { sql: word.parts.map((p) => (p.dynamic ? '__x__' : p.text)).join(''), word };
      }
      if (n.type === 'pipeline') {
        const stages = n.namedChildren.filter((c): c is TsNode => !!c);
        const i = stages.findIndex((s) => s.startIndex <= cmd.startIndex && cmd.endIndex <= s.endIndex);
        const prev = i > 0 ? stages[i - 1] : undefined;
        if (prev?.type === 'command') {
          const name = evalWord(prev.childForFieldName('name')!).text;
          const args = prev.childrenForFieldName('argument').filter((a): a is TsNode => !!a).map(evalWord);
          if (/safe_query\.ts$/.test(name) || args.some((a) => /safe_query\.ts$/.test(a.text))) return { builtBy: 'safe_query' };
          if ((name === 'echo' || name === 'printf') && args[0]) return { ...sqlOfWord(args[args.length - 1]!), word: args[args.length - 1] };
          if (name === 'cat' && args[0]) return { sql: findFile(args[0].text)?.content };
        }
        break;
      }
      if (['program', 'subshell', 'compound_statement', 'function_definition'].includes(n.type)) break;
    }
    return undefined;
  };

  const addSql = (sql: string | undefined, builtBy: 'safe_query' | undefined, sink: 'executed' | 'explain', where: string) => {
    if (builtBy === 'safe_query' && sql === undefined) return; // safe by construction; text unknown
    if (sql !== undefined && sql.trim()) out.sql.push({ sql, sink, ran: unit.executed, from: 'command', origin: `${unit.origin}: ${where}`, step: unit.step });
  };

  const visit = (node: TsNode): void => {
    if (node.type === 'variable_assignment') {
      const name = node.childForFieldName('name')?.text;
      const value = node.childForFieldName('value');
      if (name && value) {
        const word = evalWord(value);
        const subst = descendants(value, 'command');
        const built = subst.some((c) => {
          const n = c.childForFieldName('name');
          const args = c.childrenForFieldName('argument').filter((a): a is TsNode => !!a).map((a) => evalWord(a).text);
          return !!n && scriptOf(evalWord(n).text, args)?.script === 'safe_query';
        });
        vars.set(name, built ? { builtBy: 'safe_query', word } : { sql: word.isStatic ? word.text : undefined, word });
      }
    }

    if (node.type === 'command') handleCommand(node);

    // SQL text with a shell expansion inside it: the value lands in the SQL unescaped.
    if (['string', 'concatenation', 'heredoc_body'].includes(node.type) && !['string', 'concatenation'].includes(node.parent?.type ?? '')) {
      const word = node.type === 'heredoc_body' ? heredocWord(node) : evalWord(node);
      const literal = word.parts.filter((p) => !p.dynamic).map((p) => p.text).join(' ');
      if (!word.isStatic && looksLikeSql(literal) && !isSafeQueryValue(node)) {
        const dyn = word.parts.filter((p) => p.dynamic).map((p) => p.text);
        out.constructions.push({ kind: 'unsafe', how: `shell ${node.type === 'heredoc_body' ? 'heredoc' : 'string'} interpolating ${dyn.join(', ')} into SQL`, line: lineOf(node), snippet: snippet(node.text), ...at });
      }
    }
    for (const child of node.namedChildren) if (child) visit(child);
  };

  /** Is this node a value flag of safe_query (where expansions are validated), not its template? */
  const isSafeQueryValue = (node: TsNode): boolean => {
    const cmd = node.parent?.type === 'command' ? node.parent : node.parent?.parent?.type === 'command' ? node.parent.parent : undefined;
    if (!cmd) return false;
    const name = evalWord(cmd.childForFieldName('name')!).text;
    const args = cmd.childrenForFieldName('argument').filter((a): a is TsNode => !!a);
    if (scriptOf(name, args.map((a) => evalWord(a).text))?.script !== 'safe_query') return false;
    const i = args.findIndex((a) => a.startIndex <= node.startIndex && node.endIndex <= a.endIndex);
    const prev = i > 0 ? evalWord(args[i - 1]!).text : '';
    return !['-t', '--template'].includes(prev) && !/^--template=/.test(evalWord(args[i]!).text);
  };

  const handleCommand = (cmd: TsNode): void => {
    const nameNode = cmd.childForFieldName('name');
    if (!nameNode) return;
    const name = evalWord(nameNode).text;
    const argNodes = cmd.childrenForFieldName('argument').filter((a): a is TsNode => !!a);
    const words = argNodes.map(evalWord);
    const argv = words.map((w) => w.text);
    const env: Record<string, string> = {};
    for (const c of cmd.namedChildren) {
      if (c?.type === 'variable_assignment') env[c.childForFieldName('name')?.text ?? ''] = c.childForFieldName('value')?.text ?? '';
    }
    const script = scriptOf(name, argv);
    const program = script?.script ?? name.replace(/^.*\//, '');
    const ownArgs = script ? script.args : argv;
    const ownWords = script ? words.slice(words.length - script.args.length) : words;
    const inv: Invocation = {
      program,
      isScript: !!script,
      args: ownArgs,
      flags: parseFlags(program, ownArgs),
      env,
      text: cmd.text,
      step: unit.step,
      executed: unit.executed,
      origin: unit.origin,
    };
    out.invocations.push(inv);
    const wordOf = (flag: string): Word | undefined => {
      for (let i = 0; i < ownArgs.length; i++) {
        if (ownArgs[i] === flag && ownWords[i + 1]) return ownWords[i + 1];
        if (ownArgs[i]!.startsWith(flag + '=')) return { ...ownWords[i]!, text: ownArgs[i]!.slice(flag.length + 1) };
      }
      return undefined;
    };

    if (READERS.has(program)) {
      for (const a of ownArgs) if (!a.startsWith('-') && /\.(md|json|sql|ts)$/.test(a)) out.reads.push({ path: a, step: unit.step, how: program });
    }

    if (program === 'safe_query') {
      out.constructions.push({ kind: 'builder', how: 'scripts/safe_query.ts command line', line: lineOf(cmd), snippet: snippet(cmd.text), ...at });
      for (const [flag, fn] of Object.entries(VALIDATOR_FLAGS)) {
        for (const raw of inv.flags.get(flag) ?? []) {
          if (typeof raw !== 'string') continue;
          const eq = raw.indexOf('=');
          const placeholder = raw.slice(0, eq);
          let value = raw.slice(eq + 1);
          let arg: string | undefined;
          if (fn === 'regex') {
            const colon = value.indexOf(':');
            arg = value.slice(0, colon);
            value = value.slice(colon + 1);
          } else if (fn === 'allow' || fn === 'keyword') {
            const allowed = (inv.flags.get('--allowed') ?? []).filter((a): a is string => typeof a === 'string' && a.startsWith(placeholder + '='));
            arg = allowed.map((a) => a.slice(placeholder.length + 1)).join(',');
          }
          out.validators.push({ fn, value, arg, placeholder, line: lineOf(cmd), ...at });
        }
      }
      const sql = safeQuerySql(inv);
      if (sql !== undefined) out.sql.push({ sql, sink: 'shown', ran: false, from: 'command', ...at });
      const output = inv.flags.get('-o')?.[0];
      if (typeof output === 'string') files.push({ path: output, content: sql ?? '', step: unit.step, builtBy: 'safe_query' });
      return;
    }

    // Files written by `cat > f <<'EOF'` / `tee f <<EOF`.
    if ((program === 'cat' || program === 'tee') && cmd.parent?.type === 'redirected_statement') {
      const redirects = cmd.parent.namedChildren.filter((c): c is TsNode => !!c);
      const target = program === 'tee' ? ownArgs.find((a) => !a.startsWith('-')) : redirects.find((r) => r.type === 'file_redirect' && /^>/.test(r.text))?.childForFieldName('destination')?.text;
      const body = redirects.find((r) => r.type === 'heredoc_redirect')?.namedChildren.find((c) => c?.type === 'heredoc_body');
      if (target && body) files.push({ path: target, content: body.text, step: unit.step });
    }

    const sink = program === 'explain-plan' ? 'explain' : 'executed';
    if (program === 'psql-connect' || program === 'psql' || program === 'explain-plan') {
      const inline = wordOf('-c') ?? wordOf('--command') ?? wordOf('--sql');
      const file = wordOf('-f') ?? wordOf('--file');
      if (inline) {
        const { sql, builtBy } = sqlOfWord(inline);
        addSql(sql, builtBy, sink, `${program} SQL`);
        if (inline.isStatic && looksLikeSql(inline.text)) out.constructions.push({ kind: 'static', how: `${program} with fixed SQL`, line: lineOf(cmd), snippet: snippet(cmd.text), ...at });
      }
      if (file && file.text !== '-') {
        const known = findFile(file.text);
        addSql(known?.content, known?.builtBy, sink, `${program} -f ${file.text}`);
      }
      if (!inline && (!file || file.text === '-')) {
        const input = stdinOf(cmd);
        if (input) {
          addSql(input.sql, input.builtBy, sink, `${program} stdin`);
          // psql variables (-v name=value, then :'name' in the SQL) are quoted by psql itself.
          if (program === 'psql' && input.sql && /:'[A-Za-z_]\w*'/.test(input.sql) && inv.flags.has('-v')) {
            out.constructions.push({ kind: 'bound', how: "psql -v variables quoted with :'name'", line: lineOf(cmd), snippet: snippet(cmd.text), ...at });
          }
        }
      }
    }
    if (program === 'printf' && words[0] && looksLikeSql(words[0].text) && /%s/.test(words[0].text) && words.length > 1) {
      out.constructions.push({ kind: 'unsafe', how: 'printf %s into SQL text', line: lineOf(cmd), snippet: snippet(cmd.text), ...at });
    }
  };

  visit(root);
}

/** A heredoc body as a word: expansions count only when the delimiter is unquoted. */
function heredocWord(body: TsNode): Word {
  const start = body.parent?.namedChildren.find((c) => c?.type === 'heredoc_start')?.text ?? '';
  const quoted = /['"\\]/.test(start);
  if (quoted) return { text: body.text, isStatic: true, parts: [{ dynamic: false, text: body.text }] };
  // The grammar does not give every literal stretch a node: take the text between expansions.
  const parts: Word['parts'] = [];
  let at = body.startIndex;
  for (const c of body.namedChildren) {
    if (!c || !DYNAMIC.has(c.type)) continue;
    if (c.startIndex > at) parts.push({ dynamic: false, text: body.text.slice(at - body.startIndex, c.startIndex - body.startIndex) });
    parts.push({ dynamic: true, text: c.text });
    at = c.endIndex;
  }
  if (at < body.endIndex) parts.push({ dynamic: false, text: body.text.slice(at - body.startIndex) });
  return { text: body.text, isStatic: parts.every((p) => !p.dynamic), parts };
}

// Reads the skill's Markdown (SKILL.md, references/, README.md) for the docs checks: files,
// fenced code blocks with their line numbers, links, and the commands written in them.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from '../support/run.js';

export { ROOT };

export interface DocFile {
  /** Path relative to the skill root, with / separators. */
  path: string;
  text: string;
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : name.endsWith('.md') ? [full] : [];
  });
}

/** SKILL.md and every Markdown file under references/. */
export function skillDocs(): DocFile[] {
  const files = [join(ROOT, 'SKILL.md'), ...walk(join(ROOT, 'references')).sort()];
  return files.map((f) => ({ path: relative(ROOT, f).split('\\').join('/'), text: readFileSync(f, 'utf8') }));
}

/** The skill's docs plus README.md (which also shows commands). */
export function allDocs(): DocFile[] {
  return [...skillDocs(), { path: 'README.md', text: readFileSync(join(ROOT, 'README.md'), 'utf8') }];
}

export interface CodeBlock {
  file: string;
  /** 1-based line of the first line inside the fence. */
  line: number;
  lang: string;
  code: string;
}

/** Fenced code blocks (``` only), with the language of the opening fence. */
export function codeBlocks(doc: DocFile): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = doc.text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\S*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j]!); j++) body.push(lines[j]!.slice(open[1]!.length));
    blocks.push({ file: doc.path, line: i + 2, lang: open[2]!, code: body.join('\n') });
    i = j;
  }
  return blocks;
}

/** The text with fenced code blocks blanked (line count kept), for prose-only scans. */
export function prose(text: string): string {
  return text.replace(/```[\s\S]*?```/g, (block) => block.replace(/[^\n]/g, ''));
}

export interface Link {
  file: string;
  target: string;
  anchor?: string;
}

/** Relative Markdown links ([text](target#anchor)) outside code blocks. */
export function relativeLinks(doc: DocFile): Link[] {
  const links: Link[] = [];
  for (const m of prose(doc.text).matchAll(/\]\(([^)\s]*)\)/g)) {
    const raw = m[1]!;
    if (/^[a-z][a-z0-9+.-]*:/i.test(raw)) continue;
    const [target, anchor] = raw.split('#', 2) as [string, string | undefined];
    links.push({ file: doc.path, target, anchor });
  }
  return links;
}

/** GitHub-style heading anchors of a Markdown text. */
export function anchors(text: string): Set<string> {
  const slugs = new Set<string>();
  for (const m of prose(text).matchAll(/^#{1,6}\s+(.+)$/gm)) {
    slugs.add(
      m[1]!
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .replace(/\s/g, '-'),
    );
  }
  return slugs;
}

export interface Invocation {
  file: string;
  script: string;
  /** Flag names as written, without leading dashes and without =value ("c", "read-only"). */
  flags: string[];
  text: string;
}

// Splits a shell-ish command into words, dropping quoted content (a flag inside a quoted
// SQL string or template is data, not a flag of the command).
function words(command: string): string[] {
  const out: string[] = [];
  let word = '';
  let quoted = false;
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (c === "'" || c === '"') {
      const end = command.indexOf(c, i + 1);
      i = end === -1 ? command.length : end;
      quoted = true;
      continue;
    }
    if (/\s/.test(c)) {
      if (word || quoted) out.push(word);
      word = '';
      quoted = false;
    } else word += c;
  }
  if (word || quoted) out.push(word);
  return out;
}

/**
 * Where a command ends: a pipe, ;, &, ), a backquote or a # comment outside quotes. In a usage
 * synopsis, | inside [...] or (...) separates alternatives and does not end the command.
 */
function commandEnd(rest: string): number {
  let depth = 0;
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i]!;
    if (c === "'" || c === '"') {
      const end = rest.indexOf(c, i + 1);
      if (end === -1) return rest.length;
      i = end;
    } else if (c === '[' || c === '(') depth++;
    else if ((c === ']' || c === ')') && depth > 0) depth--;
    else if (c === '|' && depth > 0) continue;
    else if ('|;&)`'.includes(c) || (c === '#' && /\s/.test(rest[i - 1] ?? ' '))) return i;
  }
  return rest.length;
}

const SCRIPT = /scripts\/([A-Za-z0-9_-]+\.ts)/g;

/** Every `scripts/<name>.ts ...` invocation in code blocks and inline code spans. */
export function invocations(doc: DocFile): Invocation[] {
  const found: Invocation[] = [];
  const scan = (command: string) => {
    for (const m of command.matchAll(SCRIPT)) {
      // The command runs to the end of the line, a pipe, ;, &&, ) or a # comment.
      const rest = command.slice(m.index! + m[0].length);
      const stop = commandEnd(rest);
      const args = words(rest.slice(0, stop));
      const flags = args
        // Synopsis brackets and alternatives: [--json], (-t TEMPLATE, --user NAME | --admin].
        .flatMap((w) => w.replace(/^[[(]+/, '').replace(/[\])]+[.,]*$/, '').split('|'))
        .filter((w) => /^--?[A-Za-z]/.test(w))
        .map((w) => w.replace(/^--?/, '').replace(/=.*$/, '').replace(/[\])]+$/, ''))
        // Placeholders such as --ident/--regex/... in prose list several flags at once.
        .flatMap((w) => w.split('/').map((f) => f.replace(/^-+/, '')));
      found.push({ file: doc.path, script: m[1]!, flags, text: (m[0] + rest.slice(0, stop)).trim() });
    }
  };
  for (const block of codeBlocks(doc)) {
    if (!['sh', 'bash', 'shell', 'text', ''].includes(block.lang)) continue;
    // Join continuation lines so a command's flags stay together.
    for (const line of block.code.replace(/\\\n\s*/g, ' ').split('\n')) scan(line);
  }
  for (const m of prose(doc.text).matchAll(/`([^`\n]+)`/g)) scan(m[1]!);
  return found;
}

// Code units: every piece of code an agent showed or wrote, with where it came from.
//  - fenced blocks in the agent's text (```ts, ```sql, ```bash, ...);
//  - files it wrote or edited (language from the file extension);
//  - each Bash command it ran (a shell unit that was executed, not just shown).
import { toolSteps, type Transcript } from './transcript.js';

export type Lang = 'ts' | 'python' | 'shell' | 'sql' | 'other';

export interface CodeUnit {
  lang: Lang;
  text: string;
  /** Where the unit came from, for evidence. */
  origin: string;
  /** Position in the transcript (step index), for ordering against other actions. */
  step: number;
  /** A file path when the unit is a written file. */
  path?: string;
  /** True for commands the agent ran; false for code it only showed or wrote. */
  executed: boolean;
}

const LANG_BY_TAG: Record<string, Lang> = {
  ts: 'ts', typescript: 'ts', tsx: 'ts', js: 'ts', javascript: 'ts', jsx: 'ts', mjs: 'ts', cjs: 'ts', mts: 'ts', cts: 'ts', node: 'ts',
  py: 'python', python: 'python', python3: 'python',
  sh: 'shell', bash: 'shell', shell: 'shell', zsh: 'shell', console: 'shell', shellsession: 'shell',
  sql: 'sql', postgres: 'sql', postgresql: 'sql', pgsql: 'sql', plpgsql: 'sql', psql: 'sql', mysql: 'sql',
};

const SQL_START = /^\s*(?:--[^\n]*\n\s*)*(select|insert|update|delete|with|create|alter|drop|merge|explain|begin|commit|grant|revoke|truncate|call|set|copy|analyze|start\s+transaction)\b/i;

/** Language of an untagged block, from its first words. */
function sniff(text: string): Lang {
  if (SQL_START.test(text)) return 'sql';
  if (/^\s*(import|export|const|let|async function|function)\b/.test(text)) return 'ts';
  if (/^\s*(\$ |#!\/bin\/(ba)?sh|scripts\/|npx |npm |node |psql |aws )/.test(text)) return 'shell';
  return 'other';
}

export function langOfTag(tag: string): Lang {
  return LANG_BY_TAG[tag.toLowerCase()] ?? 'other';
}

export function langOfPath(path: string): Lang {
  const ext = /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase();
  if (!ext) return 'other';
  return LANG_BY_TAG[ext] ?? 'other';
}

/**
 * Fenced code blocks of a Markdown text. Follows CommonMark's rule that a fence closes with
 * at least as many of the same character; an unclosed fence runs to the end.
 */
export function fencedBlocks(markdown: string): { tag: string; text: string; line: number }[] {
  const blocks: { tag: string; text: string; line: number }[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)[^`]*$/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[1]!;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const close = new RegExp(`^ {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
      if (close.test(lines[j]!)) break;
      body.push(lines[j]!);
    }
    blocks.push({ tag: open[2] ?? '', text: body.join('\n'), line: i + 1 });
    i = j;
  }
  return blocks;
}

/** Shell sessions shown with prompts (`$ cmd`) become plain commands; output lines are dropped. */
function stripPrompts(text: string): string {
  const lines = text.split('\n');
  if (!lines.some((l) => /^\s*\$ /.test(l))) return text;
  return lines
    .filter((l) => /^\s*\$ /.test(l) || /^\s*>\s/.test(l))
    .map((l) => l.replace(/^\s*[$>] /, ''))
    .join('\n');
}

export function codeUnits(t: Transcript): CodeUnit[] {
  const units: CodeUnit[] = [];
  const fromMarkdown = (text: string, step: number, where: string) => {
    for (const block of fencedBlocks(text)) {
      let lang = block.tag ? langOfTag(block.tag) : sniff(block.text);
      if (lang === 'other' && block.tag === '') lang = sniff(block.text);
      const body = lang === 'shell' ? stripPrompts(block.text) : block.text;
      units.push({ lang, text: body, origin: `${where}, code block at line ${block.line}`, step, executed: false });
    }
  };
  for (const step of t.steps) {
    if (step.kind === 'text') {
      fromMarkdown(step.text, step.index, `step ${step.index + 1} (text)`);
      continue;
    }
    const input = step.input;
    const path = typeof input.file_path === 'string' ? input.file_path : undefined;
    if (step.name === 'Bash' && typeof input.command === 'string') {
      units.push({ lang: 'shell', text: input.command, origin: `step ${step.index + 1} (Bash)`, step: step.index, executed: true });
    } else if (step.name === 'Write' && path && typeof input.content === 'string') {
      units.push({ lang: langOfPath(path), text: input.content, origin: `step ${step.index + 1} (Write ${path})`, step: step.index, path, executed: false });
    } else if (step.name === 'Edit' && path && typeof input.new_string === 'string') {
      units.push({ lang: langOfPath(path), text: input.new_string, origin: `step ${step.index + 1} (Edit ${path})`, step: step.index, path, executed: false });
    } else if (step.name === 'MultiEdit' && path && Array.isArray(input.edits)) {
      for (const edit of input.edits) {
        const text = (edit as { new_string?: unknown }).new_string;
        if (typeof text === 'string') {
          units.push({ lang: langOfPath(path), text, origin: `step ${step.index + 1} (MultiEdit ${path})`, step: step.index, path, executed: false });
        }
      }
    }
  }
  // A plain answer's final text is its only step; a stream-json result repeats the last text step.
  if (t.format === 'stream-json' && t.finalText && !t.steps.some((s) => s.kind === 'text' && s.text === t.finalText)) {
    fromMarkdown(t.finalText, t.steps.length, 'final answer');
  }
  return units;
}

/** Files the agent wrote, by path, latest content last (Write replaces; Edit is ignored here). */
export function writtenFiles(t: Transcript): { path: string; content: string; step: number }[] {
  return toolSteps(t)
    .filter((s) => s.name === 'Write' && typeof s.input.file_path === 'string' && typeof s.input.content === 'string')
    .map((s) => ({ path: s.input.file_path as string, content: s.input.content as string, step: s.index }));
}

/** Two paths name the same file when one ends with the other (absolute vs relative forms). */
export function samePath(a: string, b: string): boolean {
  const norm = (p: string) => p.replace(/^\.\//, '').replace(/\/+/g, '/');
  const x = norm(a);
  const y = norm(b);
  return x === y || x.endsWith('/' + y) || y.endsWith('/' + x);
}

export { SQL_START };

// The skill's format: SKILL.md frontmatter and size under the Agent Skills rules, links that
// resolve, every reference reachable from SKILL.md, tables of contents in long files, and
// dated, sourced DSQL facts.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, posix } from 'node:path';
import { createRequire } from 'node:module';
import matter from 'gray-matter';
import { describe, expect, it } from 'vitest';
import { anchors, relativeLinks, ROOT, skillDocs } from './support.js';

// js-yaml comes with gray-matter (which uses it anyway); loaded untyped, so give it a shape.
const yaml = createRequire(import.meta.url)('js-yaml') as { load(s: string, o: object): unknown; JSON_SCHEMA: object };

const skillText = readFileSync(join(ROOT, 'SKILL.md'), 'utf8');
// JSON_SCHEMA: dates and other YAML specials stay strings, as the format expects.
const front = matter(skillText, { engines: { yaml: (s: string) => yaml.load(s, { schema: yaml.JSON_SCHEMA }) as object } });
const data = front.data as Record<string, unknown>;

describe('SKILL.md frontmatter', () => {
  it('has only the keys the Agent Skills format allows', () => {
    const allowed = ['name', 'description', 'license', 'compatibility', 'metadata', 'allowed-tools'];
    expect(Object.keys(data).filter((k) => !allowed.includes(k))).toEqual([]);
  });

  it('is named aurora-dsql, the folder name the skill installs as', () => {
    expect(data.name).toBe('aurora-dsql');
    expect(data.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    // The repository may be checked out under another name; the package name is the install name.
    expect(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).name).toBe(data.name);
  });

  it('has a description that says what and when, within limits', () => {
    const d = data.description;
    expect(typeof d).toBe('string');
    const text = d as string;
    expect(text.length).toBeGreaterThan(50);
    expect(text.length).toBeLessThanOrEqual(600);
    expect(text).not.toMatch(/[<>]/);
    for (const trigger of ['DSQL', 'Aurora DSQL', 'DSQL cluster', 'IAM auth token', 'DSQL connector', 'safe_query']) {
      expect(text).toContain(trigger);
    }
    expect(text).toMatch(/Use for/);
  });

  it('has a license, a compatibility line within 500 characters and string-valued metadata', () => {
    expect(typeof data.license).toBe('string');
    expect(typeof data.compatibility).toBe('string');
    expect((data.compatibility as string).length).toBeLessThanOrEqual(500);
    expect(data.compatibility).toMatch(/Node\.js/);
    expect(data.compatibility).toMatch(/psql/);
    const metadata = data.metadata as Record<string, unknown>;
    expect(Object.values(metadata).every((v) => typeof v === 'string')).toBe(true);
  });
});

describe('SKILL.md body', () => {
  it('stays under 500 lines', () => {
    expect(skillText.split('\n').length).toBeLessThan(500);
  });

  it('has every section the skill promises', () => {
    for (const heading of [
      '## Reference index',
      '## Running queries',
      '## Limits',
      '## Commands',
      '## Quick start',
      '### 0. Verify dependencies',
      '### 0a. Cluster lifecycle',
      '### 0b. Language connector',
      '### 4a. Building SQL with untrusted input',
      '### 8. Query-plan explainability',
      '## Security considerations',
      '## Troubleshooting',
      '## Handoff from aws-database-selection',
      '## Output formatting',
      '## Gotchas',
    ]) {
      expect(skillText, heading).toContain(`\n${heading}\n`);
    }
  });

  it('gives every reference file a When and a Contains in the index', () => {
    const index = skillText.slice(skillText.indexOf('## Reference index'), skillText.indexOf('## Running queries'));
    const rows = [...index.matchAll(/^\| \[(references\/[^\]]+)\]\([^)]+\) \| ([^|]+) \| ([^|]+) \|$/gm)];
    const listed = rows.map((r) => r[1]);
    const all = skillDocs().map((d) => d.path).filter((p) => p.startsWith('references/'));
    expect(new Set(listed)).toEqual(new Set(all));
    for (const r of rows) {
      expect(r[2]!.trim().length, r[1]).toBeGreaterThan(5);
      expect(r[3]!.trim().length, r[1]).toBeGreaterThan(5);
    }
  });
});

describe('links', () => {
  const docs = skillDocs();
  const byPath = new Map(docs.map((d) => [d.path, d]));

  it('every relative link resolves to a file (and heading, when it names one)', () => {
    const broken: string[] = [];
    for (const doc of docs) {
      for (const link of relativeLinks(doc)) {
        const target = link.target === '' ? doc.path : posix.normalize(posix.join(posix.dirname(doc.path), link.target));
        if (!existsSync(join(ROOT, target))) {
          broken.push(`${doc.path} -> ${link.target}`);
          continue;
        }
        const targetDoc = byPath.get(target);
        if (link.anchor && targetDoc && !anchors(targetDoc.text).has(link.anchor)) broken.push(`${doc.path} -> ${link.target}#${link.anchor}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('reaches every reference file from SKILL.md, and the index links each one directly', () => {
    const seen = new Set<string>(['SKILL.md']);
    const queue = ['SKILL.md'];
    while (queue.length) {
      const doc = byPath.get(queue.shift()!);
      if (!doc) continue;
      for (const link of relativeLinks(doc)) {
        const target = posix.normalize(posix.join(posix.dirname(doc.path), link.target));
        if (target.endsWith('.md') && !seen.has(target)) {
          seen.add(target);
          queue.push(target);
        }
      }
    }
    const orphans = docs.map((d) => d.path).filter((p) => !seen.has(p));
    expect(orphans).toEqual([]);
    // One level deep: SKILL.md itself links every reference file.
    const direct = new Set(relativeLinks(byPath.get('SKILL.md')!).map((l) => posix.normalize(l.target)));
    expect(docs.map((d) => d.path).filter((p) => p !== 'SKILL.md' && !direct.has(p))).toEqual([]);
  });

  it('keeps relative links inside the skill folder', () => {
    const outside = docs.flatMap((doc) =>
      relativeLinks(doc)
        .map((l) => posix.normalize(posix.join(posix.dirname(doc.path), l.target)))
        .filter((t) => t.startsWith('..'))
        .map((t) => `${doc.path} -> ${t}`),
    );
    expect(outside).toEqual([]);
  });
});

describe('reference files', () => {
  const docs = skillDocs().filter((d) => d.path.startsWith('references/'));

  it('give files over 300 lines a table of contents', () => {
    const long = docs.filter((d) => d.text.split('\n').length > 300);
    expect(long.filter((d) => !/^## Contents$/m.test(d.text)).map((d) => d.path)).toEqual([]);
  });

  it('state DSQL behaviour with the date it holds for and a link to its source', () => {
    const undated = docs.filter((d) => /DSQL/.test(d.text) && !(/\b2026-\d\d-\d\d\b/.test(d.text) && /\]\(https:\/\//.test(d.text)));
    expect(undated.map((d) => d.path)).toEqual([]);
  });

  it('never tell the agent to use the AWS CLI for DSQL or to sign tokens by hand', () => {
    for (const doc of skillDocs()) {
      expect(doc.text, doc.path).not.toMatch(/aws dsql [a-z]/);
      expect(doc.text, doc.path).not.toMatch(/generate-db-connect/);
    }
  });

  it('are named for what they contain (lower-case, hyphenated)', () => {
    for (const doc of docs) expect(basename(doc.path), doc.path).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*\.md$/);
    expect(dirname('references/x.md')).toBe('references');
  });
});

describe('the shared format checker', () => {
  // An external tool: shared/ sits beside the checkout (CI lays it there too). It is the one
  // check that depends on something outside this repository, so it says so when it is absent.
  const checker = [join(ROOT, '..', 'shared', 'tools', 'check-skill-format.mjs'), '/work/shared/tools/check-skill-format.mjs'].find(existsSync);
  it.skipIf(!checker)(`passes, printing nothing${checker ? '' : ' (skipped: shared/tools/check-skill-format.mjs is not beside the checkout)'}`, () => {
    const out = execFileSync(process.execPath, [checker!, ROOT], { encoding: 'utf8' });
    expect(out).toBe('');
  });
});

// The real parsers the graders use, loaded once:
//  - TypeScript/JavaScript: @babel/parser with its typescript plugin (TypeScript 7 has no JS
//    API, and a typescript@5 alias would link its own `tsc` over the project's);
//  - shell and Python: tree-sitter grammars (WASM) through web-tree-sitter;
//  - SQL: the project's own parser (libpg-query plus DSQL's ASYNC), scripts/lib/sql/parser.ts.
import { createRequire } from 'node:module';
import { parse as babelParse, type ParseResult } from '@babel/parser';
import type { File } from '@babel/types';
import { Language, Parser, type Node as TsNode } from 'web-tree-sitter';
import { loadParser } from '../../scripts/lib/sql/parser.js';

const require = createRequire(import.meta.url);

let shellParser: Parser | undefined;
let pythonParser: Parser | undefined;

/** Loads every parser; graders call the sync functions below afterwards. */
export async function loadParsers(): Promise<void> {
  if (shellParser && pythonParser) return;
  await Parser.init();
  const [bash, python] = await Promise.all([
    Language.load(require.resolve('tree-sitter-bash/tree-sitter-bash.wasm')),
    Language.load(require.resolve('tree-sitter-python/tree-sitter-python.wasm')),
  ]);
  shellParser = new Parser();
  shellParser.setLanguage(bash);
  pythonParser = new Parser();
  pythonParser.setLanguage(python);
  await loadParser();
}

function need<T>(p: T | undefined): T {
  if (!p) throw new Error('parsers not loaded: await loadParsers() first');
  return p;
}

export function parseShell(text: string): TsNode {
  const tree = need(shellParser).parse(text);
  if (!tree) throw new Error('tree-sitter returned no tree');
  return tree.rootNode;
}

export function parsePython(text: string): TsNode {
  const tree = need(pythonParser).parse(text);
  if (!tree) throw new Error('tree-sitter returned no tree');
  return tree.rootNode;
}

/** Parses TypeScript (JSX off); error recovery on, so a snippet with a typo still yields a tree. */
export function parseTs(text: string): ParseResult<File> {
  return babelParse(text, {
    sourceType: 'module',
    plugins: ['typescript', 'topLevelAwait'],
    errorRecovery: true,
    allowReturnOutsideFunction: true,
    allowAwaitOutsideFunction: true,
    allowUndeclaredExports: true,
  });
}

export type { TsNode };

#!/bin/sh
':' //; case $0 in */*) d=${0%/*} ;; *) d=. ;; esac; exec node "$d/lib/launcher.mjs" "$0" "$@"
// ^ Runs this file through the launcher from any working directory (the line is a no-op in TypeScript).

// dsql-lint: check SQL for Aurora DSQL compatibility on the real PostgreSQL parser, and fix
// what can be fixed. The command line mirrors the public dsql-lint so integrations can switch.
import { defineCommand, UsageError } from './lib/cli/index.js';

export const command = defineCommand({
  name: 'scripts/dsql-lint.ts',
  summary: 'check SQL files for Aurora DSQL compatibility; --fix writes SQL that DSQL accepts',
  usage: ['[--fix] [-o PATH] [--format text|json] [--single-transaction] FILE... | -', '--list-rules [--format text|json]'],
  options: {
    fix: { type: 'boolean', description: 'write fixed SQL: FILE-fixed.sql beside each FILE, -o PATH, or stdout for -' },
    output: { type: 'string', short: 'o', value: 'PATH', description: 'with --fix and one input: write the fixed SQL here' },
    format: { type: 'string', value: 'FORMAT', choices: ['text', 'json'], description: 'text (diagnostics on stderr, the default) or json (one document on stdout)' },
    'single-transaction': { type: 'boolean', description: 'the input runs as one transaction (psql -1, Flyway): apply the transaction rules to all of it' },
    'list-rules': { type: 'boolean', description: 'print the DSQL rules table (id, status, SQLSTATE, summary) and exit' },
  },
  positionals: [{ name: 'FILE', description: 'SQL files to check; - reads standard input', variadic: true }],
  notes: [
    'Text diagnostics go to stderr as FILE:LINE:COL: SEVERITY rule — message [SQLSTATE], then\n"  → suggestion" and "  | statement". JSON (schemas/dsql-lint-output.schema.json) goes to\nstdout and carries the SQLSTATE DSQL would answer with.',
    '--fix keeps unchanged statements and comments byte for byte and rewrites the rest from the\nparse tree. FIXED means equivalent; WARNING means DSQL accepts it but behaviour changes; ERROR\nmeans it needs you. The fixed file lints clean except for what stays ERROR.',
  ],
  examples: [
    { note: 'check a migration', command: 'scripts/dsql-lint.ts migrations/001_init.sql' },
    { note: 'fix it into a new file and read the warnings', command: 'scripts/dsql-lint.ts --fix -o 001_dsql.sql migrations/001_init.sql' },
    { note: 'an agent checking generated SQL', command: `printf '%s' "$SQL" | scripts/dsql-lint.ts --format json -` },
    { note: 'a pg_dump, as psql would run it in one transaction', command: 'scripts/dsql-lint.ts --single-transaction dump.sql' },
  ],
  exitCodes: {
    1: 'lint: findings, or a file could not be read; --fix: unfixable findings remain, or a file error',
    3: '--fix only: everything fixed, some with warnings (review them)',
  },
  async run({ options, positionals, io, json, out, note }) {
    const format = options.format ?? 'text';
    if (options['list-rules']) {
      const { RULES } = await import('./lib/rules/index.js');
      if (format === 'json') json({ rules: RULES });
      else for (const r of RULES) out(`${r.id.padEnd(36)} ${r.status.padEnd(9)} ${(r.sqlstate ?? '-').padEnd(5)}  ${r.summary}`);
      return 0;
    }
    if (positionals.length === 0) throw new UsageError('give at least one FILE, or - to read standard input');
    if (positionals.filter((p) => p === '-').length > 1) throw new UsageError('- (standard input) can be given only once');
    if (options.output !== undefined && !options.fix) throw new UsageError('-o/--output needs --fix');
    if (options.output !== undefined && positionals.length > 1) throw new UsageError('-o/--output works with one input only');
    if (positionals.includes('-') && io.stdin.isTTY) throw new UsageError('- reads standard input, but it is a terminal; pipe SQL in or give a FILE');

    const { lintSql } = await import('./lib/lint/engine.js');
    const { decodeUtf8, defaultOutputPath, readInput, readStream, writeAtomically } = await import('./lib/lint/files.js');
    const report = await import('./lib/lint/report.js');
    const mode = options.fix ? 'fix' : 'lint';
    const files: import('./lib/lint/report.js').FileReport[] = [];
    let stdoutSql: string | undefined;

    for (const input of positionals) {
      const name = input === '-' ? '<stdin>' : input;
      const read = input === '-' ? { text: decodeUtf8(await readStream(io.stdin)) } : readInput(input);
      if (read.text === undefined) {
        files.push({ file: name, diagnostics: [], error: 'error' in read && read.error ? read.error : 'standard input contained non-UTF-8 bytes' });
        continue;
      }
      const result = await lintSql(read.text, { singleTransaction: options['single-transaction'] });
      const file: import('./lib/lint/report.js').FileReport = { file: name, diagnostics: result.diagnostics };
      if (mode === 'fix') {
        file.commentsLost = result.commentsLost;
        file.empty = result.statements > 0 && result.fixedStatements === 0;
        const target = options.output ?? (input === '-' ? undefined : defaultOutputPath(input));
        if (target !== undefined) {
          const error = writeAtomically(target, result.fixedSql, input === '-' ? undefined : input);
          if (error) file.error = error;
          else file.outputFile = target;
        } else if (format === 'json') file.fixedSql = result.fixedSql;
        else stdoutSql = result.fixedSql;
      }
      files.push(file);
    }

    if (format === 'json') json(report.jsonReport(files, mode));
    else {
      for (const line of report.textReport(files, mode)) note(line);
      if (stdoutSql !== undefined) io.stdout.write(stdoutSql);
    }
    return report.exitCode(files, mode);
  },
});

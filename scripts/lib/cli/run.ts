// The one top-level runner every command goes through: parse, --help, run, and turn
// expected errors into one line on stderr with their exit code. Unexpected errors are
// bugs and keep their stack trace so they get reported and fixed.
import { parseArgs } from './args.js';
import { EXIT, UserError, oneLine, redact } from './errors.js';
import { renderHelp } from './help.js';
import type { CommandSpec, Io, OptionsSpec, RunContext } from './spec.js';

export function processIo(): Io {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
}

/** The program name in messages: the command's file name, e.g. "safe_query.ts". */
function shortName(spec: CommandSpec<OptionsSpec>): string {
  return spec.name.split('/').pop()!;
}

export async function runCommand<O extends OptionsSpec>(
  spec: CommandSpec<O>,
  argv: readonly string[],
  io: Io = processIo(),
): Promise<number> {
  const prog = shortName(spec as unknown as CommandSpec<OptionsSpec>);
  try {
    const parsed = parseArgs(spec.options, spec.positionals ?? [], argv, io.env);
    if (parsed.help) {
      io.stdout.write(renderHelp(spec));
      return EXIT.ok;
    }
    const ctx: RunContext<O> = {
      options: parsed.options,
      positionals: parsed.positionals,
      io,
      json: (data) => void io.stdout.write(redact(JSON.stringify(data, null, 2)) + '\n'),
      out: (line = '') => void io.stdout.write(redact(line) + '\n'),
      note: (line) => void io.stderr.write(redact(line) + '\n'),
    };
    const code = await spec.run(ctx);
    return code ?? EXIT.ok;
  } catch (error) {
    if (error instanceof UserError) {
      const hint = error.hint ? `; ${error.hint}` : '';
      io.stderr.write(`${prog}: ${oneLine(error.message + hint)}\n`);
      return error.exitCode;
    }
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.stderr.write(`${prog}: internal error (a bug; please report it):\n${redact(text)}\n`);
    return EXIT.bug;
  }
}

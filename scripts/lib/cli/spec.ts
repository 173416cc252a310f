// The declarative shape of a command: its options, positionals, help text and run function.
// The help text is generated from this spec, so the spec is the documentation.

export type OptionType = 'boolean' | 'string' | 'integer';

export interface OptionSpec {
  type: OptionType;
  /** One-letter alias, e.g. 'c' for -c. */
  short?: string;
  /** Repeatable; the value is an array. */
  multiple?: boolean;
  /** Name of the value in help, e.g. 'SQL'. */
  value?: string;
  description: string;
  /** Allowed values (string options). */
  choices?: readonly string[];
  /** Inclusive bounds (integer options). */
  min?: number;
  max?: number;
  /** Environment variable used when the flag is absent (shown in help). */
  env?: string;
  /** Hide from --help (for deprecated aliases). */
  hidden?: boolean;
}

export type OptionsSpec = Record<string, OptionSpec>;

type ValueOf<S extends OptionSpec> = S['type'] extends 'boolean'
  ? boolean
  : S['type'] extends 'integer'
    ? number
    : string;

/** Parsed option values: booleans default to false, repeatables to [], others may be undefined. */
export type OptionValues<O extends OptionsSpec> = {
  [K in keyof O]: O[K]['multiple'] extends true
    ? ValueOf<O[K]>[]
    : O[K]['type'] extends 'boolean'
      ? boolean
      : ValueOf<O[K]> | undefined;
};

export interface PositionalSpec {
  name: string;
  description: string;
  required?: boolean;
  variadic?: boolean;
}

export interface Example {
  command: string;
  note?: string;
}

export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export interface RunContext<O extends OptionsSpec> {
  options: OptionValues<O>;
  positionals: string[];
  io: Io;
  /** Print data as JSON on stdout (one document, trailing newline). */
  json(data: unknown): void;
  /** Print a line on stdout. */
  out(line?: string): void;
  /** Print a diagnostic line on stderr. */
  note(line: string): void;
}

export interface CommandSpec<O extends OptionsSpec = OptionsSpec> {
  /** The script path as users type it, e.g. 'scripts/safe_query.ts'. */
  name: string;
  summary: string;
  /** Usage lines after the name, e.g. '[--json] FILE...'. */
  usage: string[];
  options: O;
  positionals?: PositionalSpec[];
  /** Extra paragraphs printed after the options. */
  notes?: string[];
  examples: Example[];
  /** Exit codes besides 0 and 2, which every command has. */
  exitCodes: Record<number, string>;
  run(ctx: RunContext<O>): Promise<number | void> | number | void;
}

/** Identity helper that keeps option types precise. */
export function defineCommand<O extends OptionsSpec>(spec: CommandSpec<O>): CommandSpec<O> {
  return spec;
}

// Command-line parsing for every command: --long, --long=value, -s value, repeatable flags, `--`.
// Errors name the flag and become exit code 2.
import { UsageError } from './errors.js';
import type { OptionSpec, OptionsSpec, OptionValues, PositionalSpec } from './spec.js';

export interface Parsed<O extends OptionsSpec> {
  help: boolean;
  options: OptionValues<O>;
  positionals: string[];
}

const INTEGER = /^-?[0-9]+$/;

function convert(flag: string, spec: OptionSpec, raw: string): string | number {
  if (spec.type === 'integer') {
    if (!INTEGER.test(raw)) throw new UsageError(`${flag} needs a whole number, got ${JSON.stringify(raw)}`);
    const n = Number(raw);
    if (!Number.isSafeInteger(n)) throw new UsageError(`${flag} is out of range: ${raw}`);
    if (spec.min !== undefined && n < spec.min) throw new UsageError(`${flag} must be at least ${spec.min}, got ${raw}`);
    if (spec.max !== undefined && n > spec.max) throw new UsageError(`${flag} must be at most ${spec.max}, got ${raw}`);
    return n;
  }
  if (spec.choices && !spec.choices.includes(raw)) {
    throw new UsageError(`${flag} must be one of ${spec.choices.join(', ')}; got ${JSON.stringify(raw)}`);
  }
  return raw;
}

export function parseArgs<O extends OptionsSpec>(
  options: O,
  positionalSpecs: readonly PositionalSpec[],
  argv: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Parsed<O> {
  const byLong = new Map<string, [string, OptionSpec]>();
  const byShort = new Map<string, [string, OptionSpec]>();
  for (const [key, spec] of Object.entries(options)) {
    byLong.set(key, [key, spec]);
    if (spec.short) byShort.set(spec.short, [key, spec]);
  }
  const lookup = (arg: string): [string, OptionSpec] | undefined => {
    if (arg.startsWith('--')) return byLong.get(arg.slice(2).split('=')[0]!);
    if (/^-[A-Za-z]$/.test(arg)) return byShort.get(arg[1]!);
    return undefined;
  };

  const values: Record<string, unknown> = {};
  const seen = new Set<string>();
  const positionals: string[] = [];
  let help = false;

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-h' || arg === '--help') {
      help = true;
      continue;
    }
    if (arg === '-' || !arg.startsWith('-')) {
      positionals.push(arg);
      continue;
    }
    const found = lookup(arg);
    if (!found) throw new UsageError(`unknown option ${arg.split('=')[0]} (see --help)`);
    const [key, spec] = found;
    const flag = arg.startsWith('--') ? `--${key}` : `-${spec.short}`;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;

    if (spec.type === 'boolean') {
      if (eq !== -1) throw new UsageError(`${flag} takes no value`);
      values[key] = true;
      continue;
    }
    let raw: string;
    if (eq !== -1) {
      raw = arg.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      // A following argument that is itself one of our flags means the value was forgotten.
      if (next === undefined || next === '--' || lookup(next) || next === '-h' || next === '--help') {
        throw new UsageError(`${flag} needs a value${spec.value ? ` (${spec.value})` : ''}`);
      }
      raw = next;
      i++;
    }
    const value = convert(flag, spec, raw);
    if (spec.multiple) {
      ((values[key] ??= []) as unknown[]).push(value);
    } else {
      if (seen.has(key)) throw new UsageError(`${flag} given more than once`);
      values[key] = value;
    }
    seen.add(key);
  }

  // Defaults: environment variables for absent flags, false for booleans, [] for repeatables.
  for (const [key, spec] of Object.entries(options)) {
    if (values[key] !== undefined) continue;
    const fromEnv = spec.env ? env[spec.env] : undefined;
    if (fromEnv !== undefined && fromEnv !== '') {
      values[key] = spec.multiple ? [convert(`$${spec.env}`, spec, fromEnv)] : convert(`$${spec.env}`, spec, fromEnv);
    } else if (spec.type === 'boolean') {
      values[key] = false;
    } else if (spec.multiple) {
      values[key] = [];
    }
  }

  if (!help) checkPositionals(positionalSpecs, positionals);
  return { help, options: values as OptionValues<O>, positionals };
}

function checkPositionals(specs: readonly PositionalSpec[], given: string[]): void {
  const variadic = specs.some((p) => p.variadic);
  const required = specs.filter((p) => p.required);
  if (given.length < required.length) {
    throw new UsageError(`missing ${required[given.length]!.name} (see --help)`);
  }
  if (!variadic && given.length > specs.length) {
    throw new UsageError(`unexpected argument ${JSON.stringify(given[specs.length])} (see --help)`);
  }
}

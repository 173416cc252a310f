// The command-line contract shared by every script (see README "Command contract").
export { defineCommand } from './spec.js';
export type { CommandSpec, Example, Io, OptionSpec, OptionsSpec, OptionValues, PositionalSpec, RunContext } from './spec.js';
export { EXIT, UsageError, UserError, oneLine, redact, registerSecret } from './errors.js';
export { parseArgs } from './args.js';
export { renderHelp } from './help.js';
export { runCommand, processIo } from './run.js';

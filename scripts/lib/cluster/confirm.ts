// Confirmation for destructive actions: the user types the name of what goes away. Only ever
// called when stdin and stderr are a terminal; scripts and agents pass --force instead.
import { createInterface } from 'node:readline';
import type { Io } from '../cli/spec.js';

export function canPrompt(io: Io): boolean {
  return Boolean(io.stdin.isTTY && io.stderr.isTTY);
}

/** Asks on stderr, reads one line from stdin; true only when it is exactly `expected`. */
export function confirmByTyping(io: Io, question: string, expected: string): Promise<boolean> {
  return new Promise((resolve) => {
    // terminal: false leaves echo and line editing to the terminal's own (cooked) mode.
    const rl = createInterface({ input: io.stdin, output: io.stderr, terminal: false });
    let answered = false;
    rl.on('line', (line) => {
      answered = true;
      rl.close();
      resolve(line.trim() === expected);
    });
    rl.on('close', () => {
      if (!answered) resolve(false);
    });
    io.stderr.write(question);
  });
}

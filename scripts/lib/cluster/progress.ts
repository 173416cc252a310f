// Progress while a command waits on AWS, on stderr: a spinner line that rewrites itself on a
// terminal; plain lines (one per status change) when stderr is a pipe or a log file. Nothing
// is written until the first status arrives, so a run that never waits prints nothing.

export interface Progress {
  /** Records the status of one thing being waited on (several may be waited on at once). */
  set(label: string, status: string): void;
  /** Stops the spinner and clears its line (plain output needs no clean-up). */
  stop(): void;
}

const FRAMES = ['|', '/', '-', '\\'];

export function startProgress(stream: NodeJS.WritableStream & { isTTY?: boolean }, title: string): Progress {
  let started = 0;
  const statuses = new Map<string, string>();
  const elapsed = () => `${Math.round((Date.now() - started) / 1000)} s`;

  if (!stream.isTTY) {
    return {
      set(label, status) {
        if (!started) {
          started = Date.now();
          stream.write(`${title}...\n`);
        }
        if (statuses.get(label) === status) return;
        statuses.set(label, status);
        stream.write(`${label}: ${status} (${elapsed()})\n`);
      },
      stop() {},
    };
  }

  let frame = 0;
  let timer: NodeJS.Timeout | undefined;
  const draw = () => {
    const summary = [...statuses].map(([label, status]) => `${label} ${status}`).join(', ');
    stream.write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${title}: ${summary} (${elapsed()})`);
  };
  return {
    set(label, status) {
      statuses.set(label, status);
      if (!timer) {
        started = Date.now();
        timer = setInterval(draw, 250);
        timer.unref();
      }
      draw();
    },
    stop() {
      if (!timer) return;
      clearInterval(timer);
      stream.write('\r\x1b[2K');
    },
  };
}

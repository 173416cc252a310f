// PGlite is one PostgreSQL backend: one session, one transaction at a time. Clients take
// turns: a connection holds the engine from its first message until PGlite reports the
// connection idle again (ReadyForQuery 'I'), i.e. for a whole transaction or pipeline.
// Others queue in arrival order. A waiter that gives up gets LockTimeout, which the
// front reports as DSQL's retryable serialization failure (40001).

export class LockTimeout extends Error {
  readonly waitedMs: number;
  constructor(waitedMs: number) {
    super(`waited ${waitedMs} ms for another connection's transaction to finish`);
    this.name = 'LockTimeout';
    this.waitedMs = waitedMs;
  }
}

interface Waiter {
  owner: object;
  grant: () => void;
  timer?: NodeJS.Timeout;
}

export class EngineLock {
  private owner: object | undefined;
  private readonly queue: Waiter[] = [];

  get holder(): object | undefined {
    return this.owner;
  }

  get waiting(): number {
    return this.queue.length;
  }

  /** Resolves once `owner` holds the engine; rejects with LockTimeout after timeoutMs (0: wait forever). */
  acquire(owner: object, timeoutMs = 0): Promise<void> | undefined {
    if (this.owner === owner) return undefined;
    if (this.owner === undefined && this.queue.length === 0) {
      this.owner = owner;
      return undefined;
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { owner, grant: resolve };
      if (timeoutMs > 0) {
        const started = Date.now();
        waiter.timer = setTimeout(() => {
          const i = this.queue.indexOf(waiter);
          if (i !== -1) this.queue.splice(i, 1);
          reject(new LockTimeout(Date.now() - started));
        }, timeoutMs);
      }
      this.queue.push(waiter);
    });
  }

  /** Gives the engine to the next waiter. A no-op unless `owner` holds it. */
  release(owner: object): void {
    if (this.owner !== owner) return;
    const next = this.queue.shift();
    this.owner = next?.owner;
    if (next) {
      clearTimeout(next.timer);
      next.grant();
    }
  }

  /** Forget a waiter (its connection closed while queued). */
  cancel(owner: object): void {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      if (this.queue[i]!.owner === owner) {
        clearTimeout(this.queue[i]!.timer);
        this.queue.splice(i, 1);
      }
    }
  }
}

import { spawn } from 'node:child_process';
import pRetry from 'p-retry';
import { BdCallError, isBusyError, isBusyText } from './bd-error.js';

export interface BdCommandOptions {
  /** The program: `bd`, or a compatible CLI (`beadsCommand`). */
  command: string;
  /** Where bd runs (the repository root). */
  cwd: string;
  /** The `.beads` folder: given to bd as BEADS_DIR so it never finds another database. */
  beadsDir: string;
  /** Recorded by bd as the claim's assignee and in its history. */
  actor: string;
  /** The environment bd runs in. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Retries of a call refused as busy (the database's single-writer lock). @default 6 */
  busyRetries?: number;
  /** First wait before a busy retry, doubling with jitter. @default 50 */
  busyMinMs?: number;
  /** A call taking longer than this is ended and reported. @default 120000 */
  callTimeoutMs?: number;
}

export interface BdOutput {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** How many calls were made and how long they took, for `chorus doctor` and the bench. */
export interface BdCallStats {
  calls: number;
  busyRetries: number;
  ms: number;
}

/**
 * Runs `bd` one call at a time, in the order asked (bd's embedded database has a single writer,
 * and chorus is one of its writers), without a shell. A call refused because another process holds
 * the database is tried again with backoff (p-retry); any other failure rejects with a BdCallError.
 * `allowExit` lists exit codes that are answers rather than failures (a refused claim exits 1).
 */
export class BdCommand {
  readonly stats: BdCallStats = { calls: 0, busyRetries: 0, ms: 0 };
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;

  constructor(readonly options: BdCommandOptions) {}

  /** Calls queued or running. */
  get queued(): number {
    return this.waiting;
  }

  run(args: readonly string[], allowExit: readonly number[] = []): Promise<BdOutput> {
    this.waiting += 1;
    const call = this.tail.then(() => this.withRetries(args, allowExit));
    this.tail = call.catch(() => undefined);
    return call.finally(() => (this.waiting -= 1));
  }

  private withRetries(args: readonly string[], allowExit: readonly number[]): Promise<BdOutput> {
    return pRetry(() => this.once(args, allowExit), {
      retries: this.options.busyRetries ?? 6,
      minTimeout: this.options.busyMinMs ?? 50,
      maxTimeout: 2000,
      factor: 2,
      randomize: true,
      shouldRetry: ({ error }) => isBusyError(error),
      onFailedAttempt: ({ error, retriesLeft }) => {
        if (isBusyError(error) && retriesLeft > 0) this.stats.busyRetries += 1;
      },
    });
  }

  private once(args: readonly string[], allowExit: readonly number[]): Promise<BdOutput> {
    const { command, cwd, beadsDir, actor } = this.options;
    const argv = ['--actor', actor, ...args];
    const started = performance.now();
    this.stats.calls += 1;
    return new Promise<BdOutput>((resolve, reject) => {
      const env = { ...(this.options.env ?? process.env), BEADS_DIR: beadsDir };
      const child = spawn(command, argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
      const timer = setTimeout(() => child.kill('SIGKILL'), this.options.callTimeoutMs ?? 120_000);
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(new BdCallError(command, args, null, '', (error as NodeJS.ErrnoException).code === 'ENOENT' ? `${command} was not found on PATH` : error.message));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        this.stats.ms += performance.now() - started;
        const stdout = Buffer.concat(out).toString('utf8');
        const stderr = Buffer.concat(err).toString('utf8');
        // A busy refusal exits 1 like a refused claim: it is retried, never taken as bd's answer.
        if (code === 0 || (code !== null && allowExit.includes(code) && !isBusyText(stderr))) resolve({ stdout, stderr, exitCode: code });
        else reject(new BdCallError(command, args, code, stderr, signal ? `ended by ${signal}` : undefined));
      });
    });
  }
}

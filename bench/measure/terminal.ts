import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { BenchError } from '../errors.js';

/** Whether tmux is here: the dashboard rows that need a real terminal are skipped without it. */
export const hasTmux = (): boolean => spawnSync('tmux', ['-V']).status === 0;

let terminals = 0;

/** A command in a real terminal of its own (a tmux server per terminal), its screen read as text. */
export class Terminal {
  readonly #socket = `chorus-bench-${process.pid}-${++terminals}`;

  constructor(command: string, cols: number, rows: number) {
    this.#tmux('new-session', '-d', '-s', 'bench', '-x', String(cols), '-y', String(rows), `export LANG=C.UTF-8; ${command}`);
  }

  screen(): string {
    return this.#tmux('capture-pane', '-p', '-t', 'bench');
  }

  /** Types text literally (q, y). */
  type(text: string): void {
    this.#tmux('send-keys', '-t', 'bench', '-l', text);
  }

  async waitFor(predicate: (screen: string) => boolean, what: string, timeoutS: number): Promise<string> {
    const until = Date.now() + timeoutS * 1000;
    let screen = '';
    while (Date.now() < until) {
      screen = this.screen();
      if (predicate(screen)) return screen;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new BenchError('BENCH_VERIFY', `the dashboard never showed ${what} within ${timeoutS} s; its screen:\n${screen}`);
  }

  close(): void {
    spawnSync('tmux', ['-L', this.#socket, 'kill-server']);
  }

  #tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.#socket, ...args], { encoding: 'utf8' });
  }
}

/** Pids whose command line holds `pattern` (pgrep -f), none when there are none. */
export function pidsMatching(pattern: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

let ticksPerSecond: number | undefined;

/** CPU seconds (user + sys, every thread) a process has used, from /proc/PID/stat. */
export function cpuSeconds(pid: number): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

/** Resident set of a process now, MB, from /proc/PID/status. */
export function rssMb(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new BenchError('BENCH_PROC', `no VmRSS for pid ${pid}`);
  return Number(match[1]) / 1024;
}

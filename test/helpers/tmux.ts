import { execFileSync, spawnSync } from 'node:child_process';

export const hasTmux = spawnSync('tmux', ['-V']).status === 0;

let sessions = 0;

/**
 * A real terminal for a test: its own tmux server (a socket per session, so tests never see each
 * other's panes), one window of a fixed size running `command` through sh. Keys go in with
 * send-keys; the screen comes out with capture-pane, as a person would see it.
 */
export class TmuxSession {
  readonly socket = `chorus-test-${process.pid}-${++sessions}`;

  constructor(command: string, size: { cols: number; rows: number }, env: Record<string, string> = {}) {
    const exports = Object.entries({ LANG: 'C.UTF-8', ...env }).map(([k, v]) => `${k}=${shellQuote(v)}`).join(' ');
    this.#tmux('new-session', '-d', '-s', 'run', '-x', String(size.cols), '-y', String(size.rows), `export ${exports}; ${command}`);
  }

  /** The screen, one line per row (trailing spaces trimmed by tmux). */
  screen(): string {
    return this.#tmux('capture-pane', '-p', '-t', 'run');
  }

  /** Named keys (Enter, Escape, Up, Down, Tab, C-c) as such; anything else typed literally. */
  keys(...keys: string[]): void {
    for (const key of keys) {
      if (/^(Enter|Escape|Up|Down|Tab|BTab|C-c|PageUp|PageDown|Home|End)$/.test(key)) this.#tmux('send-keys', '-t', 'run', key);
      else this.#tmux('send-keys', '-t', 'run', '-l', key);
    }
  }

  /** The terminal resized, as a person drags its window: the program gets SIGWINCH. */
  resize(cols: number, rows: number): void {
    this.#tmux('resize-window', '-t', 'run', '-x', String(cols), '-y', String(rows));
  }

  /** A pane flag: `alternate_on` (1 while a full-screen program holds the screen), `cursor_flag` (1 when the cursor shows). */
  flag(name: string): string {
    return this.#tmux('display-message', '-p', '-t', 'run', `#{${name}}`).trim();
  }

  /** Polls the screen until `predicate` holds; throws with the last screen when it never does. */
  async waitFor(predicate: (screen: string) => boolean, what: string, timeoutMs = 30_000): Promise<string> {
    const until = Date.now() + timeoutMs;
    let screen = '';
    while (Date.now() < until) {
      screen = this.screen();
      if (predicate(screen)) return screen;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the screen never showed ${what}; last screen:\n${screen}`);
  }

  kill(): void {
    spawnSync('tmux', ['-L', this.socket, 'kill-server']);
  }

  #tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }
}

export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Polls `check` until it holds; the last value it saw otherwise. */
export async function until<T>(read: () => T | Promise<T>, check: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!check(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    value = await read();
  }
  return value;
}

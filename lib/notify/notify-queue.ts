import { expandArgs } from '../pool/expand-args.js';
import { keepEnd } from '../text/cut-text.js';
import { oneLine } from '../text/one-line.js';
import type { Notification } from './notifications.js';
import { NOTIFIER_LIMITS, runNotifier, type NotifierLimits, type NotifierResult } from './run-notifier.js';

export interface NotifyQueueOptions extends NotifierLimits {
  /** Notifications waiting behind the one running; past this the oldest waiting is dropped (and counted). @default 20 */
  maxQueued: number;
}

export const NOTIFY_QUEUE_DEFAULTS: Readonly<NotifyQueueOptions> = { ...NOTIFIER_LIMITS, maxQueued: 20 };

/**
 * Runs the `notify` argv for each notification, one at a time and in order, never stopping the
 * batch: a failure (cannot start, non-zero exit, timeout) is told to `onProblem` once per run, not
 * once per event; a notifier that cannot start is not tried again. A notifier slower than the
 * events drops the oldest waiting ones, not the newest (the batch's end is the one a person waits for).
 */
export class NotifyQueue {
  private readonly waiting: Notification[] = [];
  private running: Promise<void> | undefined;
  private dropped = 0;
  private failureTold = false;
  private cannotStart = false;

  constructor(
    private readonly argv: readonly string[],
    private readonly onProblem: (message: string) => void,
    private readonly options: NotifyQueueOptions = NOTIFY_QUEUE_DEFAULTS,
  ) {}

  push(notification: Notification): void {
    if (this.cannotStart) return;
    if (this.waiting.length >= this.options.maxQueued) {
      this.waiting.shift();
      this.dropped += 1;
    }
    this.waiting.push(notification);
    this.running ??= this.pump();
  }

  /**
   * Waits for what is queued to be sent, at most one timeout; what is still waiting then is
   * dropped, and the one running ends by itself or at its own timeout. Says how many were dropped.
   */
  async drain(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(resolve, this.options.timeoutMs, 'late')));
    try {
      if ((await Promise.race([this.idle(), late])) === 'late') {
        this.dropped += this.waiting.splice(0).length;
        await this.idle();
      }
    } finally {
      clearTimeout(timer);
    }
    if (this.dropped > 0) {
      this.onProblem(`chorus: notify: ${this.dropped} notification${this.dropped === 1 ? ' was' : 's were'} not sent: the notifier did not keep up (at most ${this.options.maxQueued} wait, one runs at a time)`);
      this.dropped = 0;
    }
  }

  private idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  /** Sends until nothing waits. `running` is cleared in the very turn the queue is found empty, so a push never lands behind a pump that has ended. */
  private async pump(): Promise<void> {
    try {
      for (let next = this.waiting.shift(); next !== undefined; next = this.waiting.shift()) await this.send(next);
    } finally {
      this.running = undefined;
    }
  }

  private async send(notification: Notification): Promise<void> {
    const vars = { EVENT: notification.event, TASK_ID: notification.taskId, TITLE: notification.title, MESSAGE: notification.message };
    const result = await runNotifier(expandArgs(this.argv, vars), this.options);
    if (result.kind === 'ok') return;
    if (result.kind === 'cannot-start') {
      this.cannotStart = true;
      this.waiting.length = 0;
    }
    if (!this.failureTold) {
      this.failureTold = true;
      this.onProblem(describeFailure(this.argv[0] ?? '', notification, result, this.options.timeoutMs));
    }
  }
}

function describeFailure(command: string, on: Notification, result: Exclude<NotifierResult, { kind: 'ok' }>, timeoutMs: number): string {
  const what = `on ${on.event}${on.taskId ? ` (${on.taskId})` : ''}`;
  switch (result.kind) {
    case 'cannot-start':
      return `chorus: notify: cannot start ${JSON.stringify(command)} (orchestration.notify in .chorus.json): ${result.error.code ?? result.error.message}; no notification is sent in this run, the batch goes on`;
    case 'timeout':
      return `chorus: notify: ${JSON.stringify(command)} ${what} did not finish within ${timeoutMs / 1000} s: its process group was ended; the batch goes on (later notify failures are not reported)`;
    case 'failed': {
      const how = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.exitCode}`;
      const said = result.stderr ? `: ${keepEnd(oneLine(result.stderr), 300)}` : '';
      return `chorus: notify: ${JSON.stringify(command)} ${how} ${what}${said}; the batch goes on (later notify failures are not reported)`;
    }
  }
}

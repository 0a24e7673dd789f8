import type { EngineEvent, SpendTotal, UnusableAgentSummary } from '../../engine/events.js';
import { UNUSABLE_CAUSES } from '../../agents/report.js';
import { count, roundedUsd, tokensIn } from '../../agents/usage-text.js';
import { describeRetry } from '../../engine/describe-retry.js';
import { formatDuration } from '../../text/format-duration.js';
import { oneLine } from '../../text/one-line.js';
import { formatWallClock } from '../../text/wall-clock.js';
import { renderProgressBar } from './progress-bar.js';

interface Stream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

const CLEAR_LINE = '\r\x1b[2K';

/**
 * Human output for `chorus batch`: a line per start and finish with elapsed time, and on a
 * terminal a progress bar kept on the last line, its clock ticking once a second.
 */
export interface BatchPrinterOptions {
  /** How many tasks the batch should run if every one succeeds (the bar's 100%); counted as they become ready otherwise. */
  expectedTotal?: number;
  now?: () => number;
}

export function batchPrinter(stream: Stream, options: BatchPrinterOptions = {}): (event: EngineEvent) => void {
  const now = options.now ?? Date.now;
  const tty = stream.isTTY === true;
  let startedAt = 0;
  let total = 0;
  let done = 0;
  let running = 0;
  let blocked = 0;
  let barShown = false;
  /** Whether `total` came from a plan (then closes release nothing new to count). */
  let planned = false;
  let timer: NodeJS.Timeout | null = null;

  const bar = () =>
    renderProgressBar({ done, total, running, blocked, elapsedMs: now() - startedAt }, stream.columns ?? 80);
  const drawBar = () => {
    stream.write(`${CLEAR_LINE}${bar()}`);
    barShown = true;
  };
  // Lines go above the bar: clear it, print, draw it again.
  const line = (text: string) => {
    stream.write(tty && barShown ? `${CLEAR_LINE}${text}\n` : `${text}\n`);
    if (tty) drawBar();
  };
  const clock = () => `${formatClock(now() - startedAt)}`;

  return (event) => {
    switch (event.type) {
      case 'batch.started':
        startedAt = event.at;
        total = Math.max(event.ready, options.expectedTotal ?? event.planned ?? 0);
        planned = options.expectedTotal !== undefined || event.planned !== undefined;
        line(`chorus: ${event.ready} task(s) ready of ${event.total} in the tracker, up to ${event.maxAgents} agent(s) at once`);
        for (const cycle of event.cycles) line(`  ✗ dependency cycle, never started: ${cycle.join(' -> ')}`);
        if (tty) timer = setInterval(drawBar, 1000).unref();
        break;
      case 'task.ready':
        // The plan counted what closes would release; an outside edit adds work it could not know of.
        if (!planned || event.unblockedBy === null) total += 1;
        break;
      case 'tracker.changed':
        if (event.newlyReady > 0) line(`${clock()} ↺ tracker changed outside chorus: ${event.newlyReady} more task(s) ready`);
        break;
      case 'task.started':
        running += 1;
        line(`${clock()} ▶ ${event.id}  ${oneLine(event.title)}  (P${event.priority}, ${event.running} running)`);
        break;
      case 'task.retry':
        line(`${clock()} ↻ ${event.id}  ${describeRetry(event)}`);
        break;
      case 'task.finished': {
        running = Math.max(0, running - 1);
        const cost = event.usage?.costUsd !== undefined ? `, ${roundedUsd(event.usage.costUsd)}` : '';
        const took = `${formatDuration(event.durationMs)}${event.attempts > 1 ? `, ${event.attempts} attempts` : ''}${cost}`;
        if (event.status === 'closed') {
          done += 1;
          line(`${clock()} ✓ ${event.id}  closed in ${took}`);
        } else if (event.awaitingReview) {
          // Not a failure: the verified branch waits for `chorus approve` / `chorus reject`.
          done += 1;
          line(`${clock()} ? ${event.id}  ${oneLine(event.reason ?? 'awaiting review')}`);
        } else if (event.status === 'blocked') {
          blocked += 1;
          done += 1;
          line(`${clock()} ✗ ${event.id}  blocked: ${oneLine(event.reason ?? event.outcome)}${event.logPath ? ` (log: ${event.logPath})` : ''}`);
        } else {
          total = Math.max(done + running, total - 1);
          line(`${clock()} ■ ${event.id}  ${event.outcome === 'agent-unusable' ? oneLine(event.reason ?? 'back to open') : 'stopped, back to open'}`);
        }
        break;
      }
      case 'task.accepted-close':
        done += 1;
        if (event.agentOutcome) running = Math.max(0, running - 1);
        line(
          `${clock()} ✓ ${event.id}  closed outside chorus (by the agent or a person); accepted` +
            (event.agentOutcome && event.agentOutcome !== 'success' ? ` (its agent then ${event.agentOutcome.startsWith('exited') ? event.agentOutcome : `ended: ${event.agentOutcome}`})` : ''),
        );
        break;
      case 'task.skipped':
        line(`${clock()} − ${event.id}  not started: ${oneLine(event.reason)}`);
        break;
      case 'task.unwritten':
        line(`${clock()} ! ${event.id}  result not written: ${oneLine(event.reason)}`);
        break;
      case 'store.error':
        line(`${clock()} ! could not write the tracker yet: ${oneLine(event.message)}`);
        break;
      case 'batch.stopping':
        line(
          event.reason === 'interrupted'
            ? 'chorus: stopping: ending the agents (SIGTERM, then SIGKILL after killGrace); their tasks go back to open'
            : `chorus: starting no more tasks: ${oneLine(event.message)}; running agents finish`,
        );
        break;
      case 'agent.limited':
        running = Math.max(0, running - 1);
        line(
          event.cause === 'network'
            ? `${clock()} ⏸ ${event.id}  ${oneLine(event.text)}; back to open, no retry spent; waiting for the network, ${event.agent} tries again at ${formatWallClock(event.resumesAt)} (one task first)`
            : `${clock()} ⏸ ${event.id}  ${event.agent} hit its usage limit (${oneLine(event.text)}); back to open, no retry spent; ` +
                `waiting for the usage limit, resumes at ${formatWallClock(event.resumesAt)}${event.probe ? ' (reset unknown: one task tries first)' : ''}`,
        );
        break;
      case 'agent.unusable':
        line(`${clock()} ⏹ ${event.agent} cannot work here (${oneLine(event.text)}): no more ${event.agent} tasks start in this batch; ${oneLine(event.fix)}`);
        break;
      case 'task.phase':
        if (event.phase === 'merging') line(`${clock()} ⇢ ${event.id}  merging ${event.branch}`);
        break;
      case 'executor.notice':
        if (event.workersOnly) break;
        line(`${clock()} ⋯ ${oneLine(event.message)}`);
        break;
      case 'agent.resumed':
        line(`${clock()} ▶ ${event.agent}: ${event.cause === 'network' ? 'the wait for the network' : 'the usage-limit wait'} is over; starting tasks again`);
        break;
      case 'batch.finished': {
        if (timer) clearInterval(timer);
        if (tty && barShown) stream.write(CLEAR_LINE);
        const s = event.summary;
        const parts = [`${s.closed.length} closed`, `${s.blocked.length} blocked`];
        if (s.awaitingReview?.length) parts.push(`${s.awaitingReview.length} awaiting review (\`chorus review\`)`);
        if (s.released.length) parts.push(`${s.released.length} back to open`);
        if (s.skipped.length) parts.push(`${s.skipped.length} not started (changed outside chorus)`);
        if (s.unwritten.length) parts.push(`${s.unwritten.length} result(s) not written`);
        if (s.waiting) parts.push(`${s.waiting} open but not ready (\`chorus graph\` says why)`);
        stream.write(`\nchorus: ${s.interrupted ? 'interrupted' : 'done'} in ${formatDuration(s.durationMs)}: ${parts.join(', ')}\n`);
        for (const b of s.blocked) stream.write(`  ✗ ${b.id}: ${oneLine(b.reason)}\n`);
        for (const u of s.unwritten) stream.write(`  ! ${u.id}: ${oneLine(u.reason)}\n`);
        if (s.trackerError) stream.write(`  ! stopped starting tasks: ${oneLine(s.trackerError)}\n`);
        if (s.budgetReached) stream.write(`  ! stopped starting tasks: ${oneLine(s.budgetReached)}\n`);
        if (s.usage) stream.write(`  spent: ${describeSpend(s.usage)}\n`);
        for (const u of s.unusable ?? []) stream.write(`  ${describeUnusableAgent(u)}\n`);
        for (const cycle of s.cycles) stream.write(`  ✗ cycle: ${cycle.join(' -> ')}\n`);
        break;
      }
      default:
        break;
    }
  };
}

/**
 * `$1.2345 over 12 runs, 1,234,567 tokens in (1,100,000 cache read, 9,000 cache write), 45,678 out`
 * (what the agents reported; the cost rounded once, here). An agent that reports no cost (codex,
 * gemini, aider) is not counted as free: `cost not reported (3 runs), ...`, or `$0.0612 over 3
 * runs (2 reported no cost), ...` when some did.
 */
export function describeSpend(spend: SpendTotal): string {
  const runs = `${spend.runs} run${spend.runs === 1 ? '' : 's'}`;
  const silent = spend.runs - spend.costRuns;
  const cost = spend.costRuns === 0 ? `cost not reported (${runs})` : `${roundedUsd(spend.costUsd)} over ${runs}${silent > 0 ? ` (${silent} reported no cost)` : ''}`;
  return `${cost}, ${tokensIn(spend.inputTokens, spend.cachedTokens, spend.cacheWriteTokens)}, ${count(spend.outputTokens)} out`;
}

/**
 * The one message for an agent that could not work: what it said, what to do, what it left.
 * `✗ claude cannot work here (not logged in or no credentials): "Not logged in · Please run /login". To fix: run ...`
 */
export function describeUnusableAgent(u: UnusableAgentSummary): string {
  const left = `${u.tasks.length} task${u.tasks.length === 1 ? '' : 's'} left open, no retry spent: ${u.tasks.slice(0, 10).join(', ')}${u.tasks.length > 10 ? ', ...' : ''}`;
  return `✗ ${u.agent} cannot work here (${UNUSABLE_CAUSES[u.cause]}): "${oneLine(u.text)}". To fix: ${oneLine(u.fix)}; then run the batch again (${left})`;
}


function formatClock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `[${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}]`;
}

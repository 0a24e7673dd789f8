import path from 'node:path';
import { formatWallClock } from '../../text/wall-clock.js';
import type { DashboardSource } from '../source.js';
import type { QuotaWaitInfo, RunState } from '../state/run-state.js';
import type { StatusPart } from './fit-parts.js';

/** `45s`, `4m10s`, `38m`, `3h12m`, `2d8h`: how long until a wait ends, as precise as it is useful. */
export function countdown(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${h % 24}h`;
}

/** `16:00 (in 3h12m)`, or with the date when it is not today: `Tue, Dec 8 16:00 (in 2d8h)`. */
export function untilText(at: number, now: number): string {
  return `${formatWallClock(at, now)} (in ${countdown(at - now)})`;
}

/** What an agent's wait is for, and until when, in a sentence (the status line, the detail pane, Enter's answer). */
export function describeWait(agent: string, wait: QuotaWaitInfo, now: number): string {
  if (wait.cause === 'network') return `${agent}: waiting for the network, tries again at ${untilText(wait.resumesAt, now)}`;
  return `${agent}: waiting for the usage limit, resumes at ${untilText(wait.resumesAt, now)}${wait.probe ? ' (reset unknown: one task tries first)' : ''}`;
}

/** Tasks finished per minute over the last ten minutes of the run (or since it started), and the time the batch would take at that pace. */
export function pace(run: RunState, left: number, now: number): { perMinute: number; etaMs: number | null } | null {
  if (run.startedAt === null || run.finishedAt.length < 2) return null;
  const window = Math.min(10 * 60_000, now - run.startedAt);
  if (window < 10_000) return null;
  let n = 0;
  for (let i = run.finishedAt.length - 1; i >= 0 && run.finishedAt[i]! >= now - window; i -= 1) n += 1;
  const perMinute = (n / window) * 60_000;
  return { perMinute, etaMs: left === 0 ? null : perMinute > 0 ? (left / perMinute) * 60_000 : null };
}

function rate(perMinute: number): string {
  return perMinute >= 1 ? `${perMinute.toFixed(1)}/min` : `${Math.round(perMinute * 60)}/h`;
}

function usd(value: number): string {
  return `$${value.toFixed(2)}`;
}

/**
 * The status line, in the order a person watching needs it: whether the keys act at all
 * (read-only), why nothing more starts (stopping), usage-limit waits with their countdown,
 * paused, auto-assign off, tasks held after a kill with the key that releases them, the spend
 * against the budget, throughput and an ETA; then the settings and the repository. Each part
 * in its long and short forms; fitParts drops and shortens from the end.
 */
export function statusParts(source: DashboardSource, run: RunState, listed: number, now: number): StatusPart[] {
  const parts: StatusPart[] = [];
  const mode = source.mode;
  if (mode.kind === 'watching') {
    const who = mode.pid === null ? 'another chorus' : `pid ${mode.pid}`;
    parts.push({ forms: mode.ended ? [`READ-ONLY · the run of ${who} has ended`, 'READ-ONLY · run ended'] : [`READ-ONLY · watching ${who}`, 'READ-ONLY'], tone: 'warning' });
  }
  if (run.stopping) parts.push({ forms: [run.stopping, run.stopping.startsWith('stopping') ? 'stopping' : 'no more starts'], tone: 'warning' });
  for (const [agent, wait] of run.quotaWaits) {
    const what = wait.cause === 'network' ? 'network' : 'limit';
    parts.push({
      forms: [`⏸ ${describeWait(agent, wait, now)}`, `⏸ ${agent} ${what}: ${untilText(wait.resumesAt, now)}`, `⏸ ${agent} ${what} ${formatWallClock(wait.resumesAt, now)}`, `⏸ ${agent} ${countdown(wait.resumesAt - now)}`],
      tone: 'warning',
    });
  }
  // executor "bullmq": nothing starts while no worker is connected or Redis does not answer.
  if (run.executor?.waiting) parts.push({ forms: [`⛁ ${run.executor.message}`, `⛁ ${run.executor.message.replace(/ \(.*$/, '')}`, '⛁ no workers'], tone: 'warning' });
  const d = mode.kind === 'live' ? run.dispatch : null;
  if (d?.paused) parts.push({ forms: ['dispatch PAUSED (p resumes)', 'PAUSED (p)', 'PAUSED'], tone: 'warning' });
  if (d && !d.autoAssign) parts.push({ forms: ['auto-assign OFF (Enter starts, a turns on)', 'auto-assign OFF (a)', 'auto OFF'], tone: 'running' });
  if (run.held.size > 0) {
    const ids = [...run.held.keys()];
    const named = ids.length <= 2 ? ids.join(', ') : `${ids.slice(0, 2).join(', ')}, +${ids.length - 2}`;
    parts.push({ forms: [`${ids.length} held after x: ${named} (⏎ on one starts it)`, `${ids.length} held (⏎ starts)`, `${ids.length} held`], tone: 'warning' });
  }
  if (run.spentUsd !== null || run.budgetUsd !== null) {
    const spent = run.spentUsd ?? 0;
    const over = run.budgetUsd !== null && spent >= run.budgetUsd;
    parts.push({
      forms: run.budgetUsd !== null ? [`spent ${usd(spent)} of ${usd(run.budgetUsd)} budget`, `${usd(spent)}/${usd(run.budgetUsd)}`] : [`spent ${usd(spent)}`, usd(spent)],
      ...(over ? { tone: 'warning' as const } : {}),
    });
  }
  const total = run.batchTotal(listed);
  const left = Math.max(0, total - run.closed - run.blockedInRun);
  const speed = pace(run, left, now);
  if (speed) {
    const eta = speed.etaMs === null ? null : now + speed.etaMs;
    parts.push({
      forms: [
        `${rate(speed.perMinute)} done${eta === null ? '' : ` · ETA ${untilText(eta, now)} for ${left} left`}`,
        `${rate(speed.perMinute)}${eta === null ? '' : ` ETA ${formatWallClock(eta, now)}`}`,
        '',
      ],
    });
  }
  if (run.executor && !run.executor.waiting && run.executor.workers.length > 0) {
    const workers = run.executor.workers;
    parts.push({ forms: [`workers: ${workers.map((w) => `${w.name} ${w.busy}/${w.concurrency}`).join(', ')}`, `${workers.length} worker${workers.length === 1 ? '' : 's'}`, ''] });
  }
  if (d) {
    if (d.autoAssign) parts.push({ forms: ['auto-assign ON', ''], tone: 'closed' });
    if (!d.paused) parts.push({ forms: ['dispatch running', ''], tone: 'closed' });
    parts.push({ forms: [`max ${d.maxAgents} agent${d.maxAgents === 1 ? '' : 's'}`, `max ${d.maxAgents}`, ''] });
  }
  const repo = path.basename(source.repoDir) || source.repoDir;
  parts.push({ forms: [`chorus dashboard · ${repo}`, repo, ''] });
  return parts;
}

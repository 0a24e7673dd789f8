import { randomUUID } from 'node:crypto';
import type { EngineEvent, EngineListener } from '../engine/events.js';
import { currentProcessSpace, type ProcessSpace } from '../process/processes.js';
import type { ProcessIdentity } from '../process/process-identity.js';
import type { AttemptEntry, ClaimEntry, JournalEntry, LimitsEntry, OutcomeStatus, QuotaWaitEntry, RunEntry } from './entries.js';
import type { JournalWriter } from './journal-writer.js';

export interface RecordRunOptions {
  /** The chorus process that runs the engine. */
  chorus: ProcessIdentity;
  /** `batch`, `run`, `retry`. */
  command: string;
  /**
   * Past this size the journal is rewritten with only what is still open (the run line, and each
   * unsettled claim with its running attempt). @default 4 MiB
   */
  compactAtBytes?: number;
  /** @default Date.now */
  now?: () => number;
  /** Where agent pids are recorded (the agent host runs beside chorus). @default this process's */
  space?: ProcessSpace;
}

/** A run being recorded: the listener to put on the engine, and the line that says the run ended. */
export interface RunRecorder {
  run: string;
  listener: EngineListener;
  /** Appends `run-end` (call once the tracker holds every result) and waits until it is on disk. */
  end(): Promise<void>;
}

/**
 * Records a run in the journal from the engine's event stream: a peer of the printers, so the
 * engine knows nothing of it. The run line is written and fsynced here, before anything can be
 * claimed; every later transition as its event arrives.
 */
export function recordRun(writer: JournalWriter, options: RecordRunOptions): RunRecorder {
  const now = options.now ?? Date.now;
  const space = options.space ?? currentProcessSpace();
  const limit = options.compactAtBytes ?? 4 * 2 ** 20;
  const run = randomUUID();
  const start: RunEntry = { type: 'run', v: 1, run, at: iso(now()), chorus: options.chorus, command: options.command };
  writer.appendNow(start);
  /** Claims not yet settled, with their attempts still running: what a compaction keeps. */
  const open = new Map<string, { claim: ClaimEntry; attempts: Map<number, AttemptEntry> }>();
  /** Usage-limit waits of this run: kept through compaction until they are over. */
  const waits: QuotaWaitEntry[] = [];
  /** The run's limits as last recorded: kept through compaction, for a dashboard watching the run. */
  let limits: LimitsEntry | null = null;

  // Past the limit, and past twice what the last compaction kept (so a run with much still open does not rewrite on every line).
  let compactAt = limit;
  const append = (entry: JournalEntry): void => {
    writer.append(entry);
    if (writer.size <= compactAt) return;
    const stillWaiting = waits.filter((w) => Date.parse(w.until) > now());
    writer.compact([start, ...(limits ? [limits] : []), ...[...open.values()].flatMap((o) => [o.claim, ...o.attempts.values()]), ...stillWaiting]);
    compactAt = Math.max(limit, 2 * writer.size);
  };
  const settle = (task: string, at: number, status: OutcomeStatus, extra: { reason?: string; byOthers?: boolean } = {}): void => {
    if (!open.delete(task)) return; // never claimed in this run: nothing to recover
    append({ type: 'outcome', run, at: iso(at), task, status, ...extra });
  };

  const listener = (event: EngineEvent): void => {
    switch (event.type) {
      case 'batch.started':
      case 'dispatch.changed':
        if (limits?.maxAgents === event.maxAgents) break;
        limits = { type: 'limits', run, at: iso(event.at), maxAgents: event.maxAgents, ...(event.type === 'batch.started' && event.maxBudgetUsd !== undefined ? { maxBudgetUsd: event.maxBudgetUsd } : limits?.maxBudgetUsd !== undefined ? { maxBudgetUsd: limits.maxBudgetUsd } : {}) };
        append(limits);
        break;
      case 'task.claiming':
      case 'task.started': {
        // Through bd the claim is journaled before bd is asked, so a hard kill in between is recovered.
        if (open.has(event.id)) break;
        const claim: ClaimEntry = { type: 'claim', run, at: iso(event.at), task: event.id, from: event.claimedFrom };
        open.set(event.id, { claim, attempts: new Map() });
        append(claim);
        break;
      }
      case 'task.attempt': {
        const entry: AttemptEntry = {
          type: 'attempt',
          run,
          at: iso(event.at),
          task: event.id,
          attempt: event.attempt,
          executor: event.executor,
          ...(event.pid !== undefined && event.pgid !== undefined ? { agent: { ...space, pid: event.pid, start: event.pidStart ?? null }, pgid: event.pgid } : {}),
          ...(event.ref !== undefined ? { ref: event.ref } : {}),
          ...(event.where !== undefined ? { where: event.where } : {}),
          log: event.logPath,
        };
        open.get(event.id)?.attempts.set(event.attempt, entry);
        append(entry);
        break;
      }
      case 'task.attempt-ended':
        open.get(event.id)?.attempts.delete(event.attempt);
        append({ type: 'attempt-end', run, at: iso(event.at), task: event.id, attempt: event.attempt, ...(event.usage ? { usage: event.usage } : {}) });
        break;
      case 'agent.limited': {
        const wait: QuotaWaitEntry = {
          type: 'quota-wait',
          run,
          at: iso(event.at),
          agent: event.agent,
          until: iso(event.resumesAt),
          probe: event.probe,
          text: event.text,
          task: event.id,
          ...(event.sessionId ? { sessionId: event.sessionId } : {}),
        };
        waits.push(wait);
        append(wait);
        break;
      }
      case 'task.finished':
        settle(event.id, event.at, event.status, event.reason !== undefined ? { reason: event.reason } : {});
        break;
      case 'task.accepted-close':
        settle(event.id, event.at, 'closed', { byOthers: true });
        break;
      case 'task.skipped':
        // Claimed by someone else while bd was asked: nothing of chorus's to undo.
        settle(event.id, event.at, 'open');
        break;
      case 'task.unwritten':
        settle(event.id, event.at, 'gone');
        break;
      default:
        break;
    }
  };

  return {
    run,
    listener,
    async end() {
      writer.append({ type: 'run-end', run, at: iso(now()) });
      await writer.durable();
    },
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

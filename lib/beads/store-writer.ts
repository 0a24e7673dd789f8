import { StoreError } from '../errors.js';
import { stampNow } from './disk-version.js';
import { lockIssuesFile, type DiskStamp } from './file-access.js';
import { FileVersions, type HeldVersion } from './file-versions.js';
import { planWrite, type WritePlan } from './plan-write.js';
import { discardTemp, renameIfUnchanged, replaceable, writeTemp } from './replace-file.js';
import type { ResolvedStoreOptions } from './store-options.js';
import type { StoreReports } from './store-reports.js';
import type { WorkingCopy } from './working-copy.js';

/**
 * A write whose file changed under it starts over this many times before it accepts bytes merely
 * appended (they are recovered later), and before it waits a little (random, growing to 64 ms)
 * between tries, to let a busy writer's burst pass.
 */
const FULL_RETRIES = 3;
/** A write that found the file changed under every try for this long gives up (the file never held still). */
const CONTENDED_MS = 10_000;

/**
 * The JSONL store's write path: under the file lock, merge the working copy with what the file
 * holds now, write a temp file and rename it over the file only if the file did not move
 * meanwhile, trying again when it did. Keeps the pace of writes and the versions of the file.
 */
export class StoreWriter {
  readonly versions: FileVersions;
  /** performance.now() of chorus's last rename. */
  lastRenameAt: number | undefined;
  /** How long the last write took and when it ended (performance.now()), for pacing. */
  private lastWriteMs = 0;
  private lastWriteEnd = 0;
  private lastWriteBytes = 0;

  /** `onRecovered`: lines appended to a retired version were found between writes; a write should be scheduled. */
  constructor(
    private readonly path: string,
    stamp: DiskStamp | undefined,
    private readonly options: ResolvedStoreOptions,
    private readonly copy: WorkingCopy,
    private readonly reports: StoreReports,
    onRecovered: () => void,
  ) {
    this.versions = new FileVersions(stamp, options.retireMs ?? 3000, () => {
      if (this.collectRetired()) onRecovered();
    });
  }

  /** How long from now the next write should wait, by the cost of the last one (paceFactor, maxWriteRate). */
  pacedDelay(): number {
    const gap = Math.max(this.options.paceFactor * this.lastWriteMs, (1000 * this.lastWriteBytes) / this.options.maxWriteRate);
    return this.lastWriteEnd + gap - performance.now();
  }

  /** Moves lines appended to retired versions into the working copy's `recovered`; true when there were any. */
  collectRetired(): boolean {
    const found = this.versions.collect();
    this.copy.recovered.push(...found);
    return found.length > 0;
  }

  async writePending(): Promise<void> {
    const release = await lockIssuesFile(this.path, {
      retries: this.options.lockRetries,
      staleMs: this.options.lockStaleMs,
      onCompromised: (error) => this.reports.emit({ type: 'lock-compromised', path: this.path, error }),
    });
    // Timed from the lock: waiting for someone else's write says nothing about what ours costs.
    const startedAt = performance.now();
    try {
      for (let attempt = 1; !(await this.writeAttempt(attempt)); attempt++) {
        this.reports.stats.retries++;
        if (performance.now() - startedAt > CONTENDED_MS) {
          throw new StoreError(
            'CHORUS_STORE_CONTENDED',
            `Beads file ${this.path} changed under every one of ${attempt} tries to write it in ${Math.round((performance.now() - startedAt) / 1000)} s; the file was left as it was`,
          );
        }
        if (attempt >= FULL_RETRIES) await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 ** Math.min(attempt - FULL_RETRIES, 6)));
      }
    } finally {
      await release().catch(() => undefined);
      this.lastWriteEnd = performance.now();
      this.lastWriteMs = this.lastWriteEnd - startedAt;
    }
  }

  /**
   * One try at a write: read what the file holds now (unless it is still base), merge, write a
   * temp file, and rename it over the file only if the file is still the version merged
   * (compare-and-rename). False when the file moved in between: the caller tries again.
   */
  private async writeAttempt(attempt: number): Promise<boolean> {
    const copy = this.copy;
    const stats = this.reports.stats;
    this.collectRetired();
    const version = this.versions.current(this.path);
    // From here to the temp file's await nothing yields, so the plan holds exactly the first `batch` updates.
    const batch = copy.pending.length;
    const changed = copy.changedLines;
    const recovered = copy.recovered.length;
    copy.changedLines = new Set();
    let plan: WritePlan;
    try {
      plan = planWrite({
        disk: version.bytes,
        base: { bytes: copy.base, layout: copy.layout ?? undefined, changed, spare: copy.spare },
        view: copy.view,
        pending: copy.pending,
        baseStatuses: copy.baseStatuses,
        recovered: copy.recovered.slice(0, recovered),
        trails: copy.trails,
      });
      if (!plan.changed) {
        this.versions.stamp = version.stamp;
        copy.commit(batch, plan, recovered);
        if (plan.merged) this.reports.reportMerge(plan.merged);
        return true;
      }
      const held = this.versions.held as HeldVersion;
      // Bytes merely appended since the read are accepted after a few tries: the descriptor on
      // this version finds them once it is retired, and the next write takes them in.
      // Never when the merged bytes end mid-line: the rest of that line is what was appended.
      const merged = version.bytes ?? copy.base;
      const allowGrowth = attempt > FULL_RETRIES && (merged.length === 0 || merged[merged.length - 1] === 0x0a);
      // Looked at once more before the fsync too: a try already lost need not pay for it.
      const temp = await writeTemp(this.path, plan.out, held, () => !replaceable(stampNow(this.path), version.stamp, allowGrowth));
      if (!temp) {
        for (const index of changed) copy.changedLines.add(index);
        return false;
      }
      const outcome = renameIfUnchanged(temp, this.path, version.stamp, allowGrowth);
      if (!outcome.renamed) {
        for (const index of changed) copy.changedLines.add(index);
        await discardTemp(temp);
        return false;
      }
      stats.maxRenameWindowNs = Math.max(stats.maxRenameWindowNs, Number(outcome.windowNs));
      this.lastRenameAt = performance.now();
      this.versions.retire(held);
      this.versions.held = { fd: temp.fd, ino: temp.ino, known: temp.size, mode: held.mode, uid: held.uid, gid: held.gid };
      this.versions.stamp = outcome.stamp;
    } catch (error) {
      for (const index of changed) copy.changedLines.add(index);
      throw error;
    }
    copy.commit(batch, plan, recovered);
    stats.writes++;
    stats.bytesWritten += plan.out.length;
    this.lastWriteBytes = plan.out.length;
    this.reports.emit({ type: 'written', path: this.path, bytes: plan.out.length, merged: plan.merged !== undefined });
    if (plan.merged) this.reports.reportMerge(plan.merged);
    return true;
  }
}

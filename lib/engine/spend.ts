import type { AgentUsage } from '../agents/report.js';
import type { SpendTotal } from './events.js';

/** What a batch's agents reported they spent, added up as reported (rounded only where shown). */
export class Spend {
  private sum: SpendTotal | undefined;

  add(usage: AgentUsage | undefined): void {
    if (!usage) return;
    this.sum ??= { costUsd: 0, costRuns: 0, inputTokens: 0, cachedTokens: 0, cacheWriteTokens: 0, outputTokens: 0, runs: 0 };
    if (usage.costUsd !== undefined) {
      this.sum.costUsd += usage.costUsd;
      this.sum.costRuns += 1;
    }
    this.sum.inputTokens += usage.inputTokens ?? 0;
    this.sum.cachedTokens += usage.cachedTokens ?? 0;
    this.sum.cacheWriteTokens += usage.cacheWriteTokens ?? 0;
    this.sum.outputTokens += usage.outputTokens ?? 0;
    this.sum.runs += 1;
  }

  get costUsd(): number {
    return this.sum?.costUsd ?? 0;
  }

  get total(): SpendTotal | undefined {
    return this.sum ? { ...this.sum } : undefined;
  }
}

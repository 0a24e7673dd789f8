import type { AgentUsage } from '../agents/report.js';
import type { SpendTotal } from './events.js';

/** What a batch's agents reported they spent, added up. */
export class Spend {
  private sum: SpendTotal | undefined;

  add(usage: AgentUsage | undefined): void {
    if (!usage) return;
    this.sum ??= { costUsd: 0, inputTokens: 0, outputTokens: 0, runs: 0 };
    this.sum.costUsd += usage.costUsd ?? 0;
    this.sum.inputTokens += usage.inputTokens ?? 0;
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

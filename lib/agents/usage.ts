import type { AgentReport, AgentUnusable, AgentUsage, UsageLimit } from './report.js';

const FIELDS = ['costUsd', 'inputTokens', 'outputTokens', 'cachedTokens', 'cacheWriteTokens', 'turns', 'apiMs', 'durationMs'] as const;

/** Field by field; a field stays absent unless one of them has it. */
export function addUsage(a: AgentUsage | undefined, b: AgentUsage | undefined): AgentUsage {
  const sum: AgentUsage = {};
  for (const field of FIELDS) {
    const x = a?.[field];
    const y = b?.[field];
    if (x !== undefined || y !== undefined) sum[field] = (x ?? 0) + (y ?? 0);
  }
  return sum;
}

/** The sum of several, or undefined when none has a field. */
export function sumUsage(list: readonly (AgentUsage | undefined)[]): AgentUsage | undefined {
  const sum = list.reduce<AgentUsage>((total, usage) => addUsage(total, usage), {});
  return hasUsage(sum) ? sum : undefined;
}

export function hasUsage(usage: AgentUsage | undefined): usage is AgentUsage {
  return usage !== undefined && FIELDS.some((field) => usage[field] !== undefined);
}

/** A usage with only the fields that have a number (readers build them from optional fields). */
export function definedUsage(usage: AgentUsage): AgentUsage | undefined {
  const out: AgentUsage = {};
  for (const field of FIELDS) if (usage[field] !== undefined) out[field] = usage[field];
  return hasUsage(out) ? out : undefined;
}

/** A report from what a reader collected: only what it found is set (undefined and false leave a field out). */
export function reportOf(parts: {
  sessionId?: string | undefined;
  usage?: AgentUsage | undefined;
  limit?: UsageLimit | undefined;
  nearLimit?: boolean;
  failure?: string | undefined;
  unusable?: AgentUnusable | undefined;
}): AgentReport {
  const report: AgentReport = {};
  if (parts.sessionId !== undefined) report.sessionId = parts.sessionId;
  const read = parts.usage && definedUsage(parts.usage);
  if (read) report.usage = read;
  if (parts.limit) report.limit = parts.limit;
  if (parts.nearLimit) report.nearLimit = true;
  if (parts.failure) report.failure = parts.failure;
  if (parts.unusable) report.unusable = parts.unusable;
  return report;
}

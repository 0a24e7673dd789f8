import { currentBranch } from '../../workspace/repo-info.js';
import { reviewedBranch } from '../../workspace/reviewed-branch.js';
import { reviewDiffStat } from '../../workspace/review-diff.js';
import { isAwaitingReview, lastReviewLine } from '../../task/review.js';
import { taskBranch } from '../../task/task-paths.js';
import { EXIT } from '../exit-codes.js';
import { writeLine, type CliIO } from '../io.js';
import { openRepo } from '../open-repo.js';
import type { SettingFlags } from './setting-flags.js';

export interface ReviewOptions extends SettingFlags {
  dir?: string;
  json?: boolean;
}

/**
 * `chorus review`: the verified branches waiting for a person (mergeMode "review"), each with its
 * diff stat against the base (`git diff --stat base...chorus/<id>`; the shared remote's copy of the
 * branch when it is newer: see reviewedBranch). Reads the tracker only; takes no lock.
 */
export async function reviewCommand(opts: ReviewOptions, io: CliIO): Promise<number> {
  const repo = await openRepo(opts.dir, opts.settingFlags ?? {}, io);
  try {
    const waiting = [...repo.store.tasks().values()].filter(isAwaitingReview);
    const base = repo.config.settings.baseBranch || (await currentBranch(repo.repoDir)) || 'HEAD';
    const rows = await Promise.all(
      waiting.map(async (task) => {
        const branch = taskBranch(task.id);
        // Tasks that ran on chorus workers have their branch on the shared remote, not here (or an older copy here).
        const { ref } = await reviewedBranch(repo.repoDir, repo.config.settings.gitRemote, branch);
        const stat = await reviewDiffStat(repo.repoDir, base, ref).catch((error: Error) => `(no diff: ${error.message.split('\n')[0]})`);
        return { id: task.id, title: task.title, branch, note: lastReviewLine(task.raw['notes']), diffStat: stat.trimEnd() };
      }),
    );
    if (opts.json) {
      io.stdout.write(`${JSON.stringify({ base, awaitingReview: rows })}\n`);
      return EXIT.ok;
    }
    if (!rows.length) {
      writeLine(io.stdout, 'Nothing awaits review.');
      return EXIT.ok;
    }
    writeLine(io.stdout, `Awaiting review (${rows.length}), against ${base}; \`chorus approve ID\` merges, \`chorus reject ID --reason TEXT\` sends back:`);
    for (const row of rows) {
      writeLine(io.stdout, `${row.id}  ${row.title}  (${row.branch})`);
      for (const line of row.diffStat.split('\n')) if (line) writeLine(io.stdout, `    ${line}`);
    }
    return EXIT.ok;
  } finally {
    await repo.store.close();
  }
}

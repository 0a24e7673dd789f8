import type { Task } from '../task/task.js';

/** The text handed to an agent as `${PROMPT}`: the task as a person would brief a colleague. */
export function buildPrompt(task: Task, taskFile: string): string {
  const raw = task.raw;
  const sections = [`You are working on task ${task.id}: ${task.title}`];
  for (const [key, heading] of [
    ['description', 'Description'],
    ['design', 'Design'],
    ['acceptance_criteria', 'Acceptance criteria'],
  ] as const) {
    const value = raw[key];
    if (typeof value === 'string' && value.trim() !== '') sections.push(`## ${heading}\n${value.trim()}`);
  }
  sections.push(
    `The full task is in ${taskFile}. Do the work in this repository. Exit with status 0 when the task is done; ` +
      'exit non-zero if you could not finish it, after printing why.',
  );
  return sections.join('\n\n');
}

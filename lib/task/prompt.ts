import type { Task } from './task.js';

/**
 * The brief an agent gets (`${PROMPT}`): the task as a person would brief a colleague. Plain text,
 * the same wherever the agent runs; where the task file is, the executor adds (promptWithTaskFile).
 */
export function taskBrief(task: Task): string {
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
  return sections.join('\n\n');
}

/** The brief, ending with where the full task is on the machine the agent runs on, and when to exit 0. */
export function promptWithTaskFile(brief: string, taskFile: string): string {
  return (
    `${brief}\n\nThe full task is in ${taskFile}. Do the work in this repository. Exit with status 0 when the task is done; ` +
    'exit non-zero if you could not finish it, after printing why.'
  );
}

/** The content of `.chorus/tasks/<id>.json`: the task's own line, pretty-printed, for the agent to read. */
export function taskFileText(task: Task): string {
  return `${JSON.stringify(task.raw, null, 2)}\n`;
}

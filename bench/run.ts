// `npm run bench [-- --quick] [-- --json FILE] [-- SCENARIO...]`: times chorus against baselines
// measured in the same run, prints a table, writes the same as JSON. See bench/README.md.
import { killBackground } from './background.js';
import { parseBenchArgs, USAGE } from './cli-args.js';
import { describeError } from './errors.js';
import { describeMachine } from './machine.js';
import { checkGnuTime, killRunningCommands } from './measure/gnu-time.js';
import { repoPaths } from './paths.js';
import { FULL_PLAN, QUICK_PLAN, type Plan } from './plan.js';
import { writeResults } from './report/json.js';
import { formatTable } from './report/table.js';
import { judgeRow, type Row } from './row.js';
import { SCENARIOS } from './scenarios/index.js';
import { removeLiveScratchDirs } from './scratch-repo.js';

const EXIT_RULES: Record<Plan['mode'], string> = {
  full: 'Full mode: exit 1 when any target fails or any scenario errors.',
  quick: 'Quick mode: smaller sizes than the targets were set for, so pass/fail is shown but only an error (a run that did not do its work) exits 1.',
};

async function main(argv: string[]): Promise<number> {
  const started = performance.now();
  const elapsed = () => ((performance.now() - started) / 1000).toFixed(1);
  const names = [...SCENARIOS.keys()];
  const args = parseBenchArgs(argv, names);
  if (args.help) {
    process.stdout.write(`${USAGE.replace('%s', names.join(', '))}\n`);
    return 0;
  }
  checkGnuTime();
  const paths = repoPaths();
  const plan = args.quick ? QUICK_PLAN : FULL_PLAN;
  const machine = describeMachine(paths.root);
  const log = (line: string) => process.stderr.write(`[${elapsed()} s] ${line}\n`);
  const secondsLeft = () => Math.max(0, plan.suiteBudgetS - (performance.now() - started) / 1000);
  const rows: Row[] = [];
  for (const name of args.scenarios) {
    const scenarioStart = performance.now();
    try {
      rows.push(...(await SCENARIOS.get(name)!({ plan, paths, log, secondsLeft })));
    } catch (error) {
      rows.push(scenarioErrorRow(name, error));
    }
    log(`${name}: done in ${((performance.now() - scenarioStart) / 1000).toFixed(1)} s`);
  }
  const exitCode = decideExit(plan.mode, rows);
  const totalS = Number(elapsed());
  const jsonFile = args.jsonFile ?? paths.defaultJsonOut;
  await writeResults(jsonFile, { machine, mode: plan.mode, plan, rows, totalS, exitRule: EXIT_RULES[plan.mode], exitCode });
  process.stdout.write(`${formatTable(machine, plan.mode, rows)}\n\n`);
  process.stdout.write(`ratio = chorus ÷ baseline, medians of runs interleaved with each other in this run (below 1: chorus is faster or smaller).\n`);
  process.stdout.write(`${EXIT_RULES[plan.mode]} Exit code: ${exitCode}.\n`);
  process.stdout.write(`Total ${totalS} s. Every run's figures: ${jsonFile}\n`);
  return exitCode;
}

/** A scenario that threw (as opposed to a run that failed its checks) still gets its row. */
function scenarioErrorRow(scenario: string, error: unknown): Row {
  return judgeRow({
    scenario, case: '(scenario failed)', measure: '—', unit: 's', chorus: null, baseline: null, target: null,
    error: describeError(error), runs: { chorus: [], baseline: [] },
  });
}

function decideExit(mode: Plan['mode'], rows: readonly Row[]): number {
  if (rows.some((row) => row.status === 'error')) return 1;
  if (mode === 'full' && rows.some((row) => row.status === 'fail')) return 1;
  return 0;
}

// Commands run in their own process groups, out of reach of the terminal's Ctrl-C: end them here.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killRunningCommands();
    killBackground();
    removeLiveScratchDirs();
    process.stderr.write(`bench: interrupted (${signal}); runs ended, scratch folders removed\n`);
    process.exit(130);
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench: ${describeError(error)}\n`);
    process.exitCode = 2;
  },
);

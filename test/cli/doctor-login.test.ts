import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AGENTS, bead, makeRepo, runChorus, type TempRepo } from '../helpers/temp-repo.js';
import { ON_PATH, recordedStarts, STREAMS } from '../helpers/preset-cli.js';

// `chorus doctor`'s login line, against the `claude` stand-in on PATH (test/fixtures/agents/on-path/) that answers `claude auth --help`
// and `claude auth status` as the real CLI does.
const repos: TempRepo[] = [];
afterAll(async () => {
  for (const repo of repos) await repo.remove();
});

async function doctorWith(orchestration: Record<string, unknown>, env: Record<string, string>): Promise<{ code: number | null; login: string; last: string; ms: number }> {
  const repo = await makeRepo([bead('a')], orchestration);
  repos.push(repo);
  const started = Date.now();
  const r = await runChorus(['-C', repo.dir, 'doctor'], { env: { PATH: `${ON_PATH}${path.delimiter}${process.env['PATH'] ?? ''}`, ...env } });
  const lines = r.stdout.trimEnd().split('\n');
  return { code: r.code, login: lines.find((l) => /^[✓!✗] login\s/.test(l)) ?? `(no login line in:\n${r.stdout})`, last: lines.at(-1) ?? '', ms: Date.now() - started };
}

const statusOf = (file: string, exit: number) => ({ FAKE_AUTH_STATUS_FILE: path.join(STREAMS, file), FAKE_AUTH_STATUS_EXIT: String(exit) });

describe('chorus doctor asks claude whether it is logged in', () => {
  it('not logged in: the check fails, saying what to do, and a batch is said not to be able to run', async () => {
    const { code, login, last } = await doctorWith({ agent: 'claude' }, statusOf('claude-auth-status-logged-out.json', 1));
    expect(login).toMatch(/^✗ login {5}claude is not logged in \(`claude auth status`\): run `claude \/login` \(or `claude auth login`\)/);
    expect(last).toBe('✗ chorus batch --all-ready cannot run here: see login above');
    expect(code).toBe(1);
  });

  it('logged in: ok, and it says plainly what it cannot know before a run', async () => {
    const { code, login } = await doctorWith({ agent: 'claude' }, statusOf('claude-auth-status-logged-in.json', 0));
    expect(login).toBe('✓ login     claude is logged in (claude.ai, firstParty, pro), says `claude auth status`; not knowable before a run: whether its API is reachable, billing and usage limits, the model');
    expect(code).toBe(0);
  });

  it('a claude without `claude auth status`: only its help is asked for (it is never started as a session), and that is said', async () => {
    const record = path.join(os.tmpdir(), `chorus-doctor-login-${process.pid}.txt`);
    const { code, login } = await doctorWith({ agent: 'claude' }, { FAKE_CLAUDE_OLD: '1', FAKE_AGENT_STARTS: record, ...statusOf('claude-auth-status-logged-out.json', 1) });
    expect(login).toMatch(/^! login {5}not checked: this `claude` has no `claude auth status` \(an older claude\)/);
    expect(recordedStarts(record).map((s) => s.args)).toEqual(['auth --help']);
    rmSync(record, { force: true });
    expect(code).toBe(0);
  });

  it('a claude that never answers: doctor still ends within its time box', async () => {
    const { code, login, ms } = await doctorWith({ agent: 'claude' }, { FAKE_AUTH_HANG: '1' });
    expect(login).toBe('! login     not checked: `claude auth status` did not answer within 5 s');
    expect(ms).toBeLessThan(15_000);
    expect(code).toBe(0);
  });

  it('codex, or a claude preset run through another program: plainly not checked, and that program is not run', async () => {
    expect((await doctorWith({ agent: 'codex' }, {})).login).toBe('✓ login     not checked: chorus cannot ask codex whether it is logged in; a run that says it cannot work stops that agent for the batch');
    const other = path.join(AGENTS, 'record.js');
    expect((await doctorWith({ agent: 'claude', agentCommand: other }, {})).login).toBe(
      `✓ login     not checked: agentCommand is \`${other}\`, not claude's own CLI, and chorus does not run it to ask; a run that says it cannot work stops that agent for the batch`,
    );
  });
});

import { benchCommand } from '../../src/commands/bench.js';
import { InputError } from '../../src/errors.js';
import { countExecs } from '../../src/bench/strace.js';
import { formatBenchReport, type BenchReport } from '../../src/bench/run.js';

// Running the benchmark itself (strace, 1,000 invocations) is `npm run bench`, not a test.
describe('bench', () => {
  it('prints both targets, the ratio and the verdicts', () => {
    const report: BenchReport = {
      invocations: 1000,
      tracedInvocations: 200,
      shell: 'dash',
      runtime: { msPerInvocation: 11, initMs: 20, processesPerInvocation: 1, answeredExactlyOnce: true },
      floor: { msPerInvocation: 10, initMs: 12, processesPerInvocation: 1, answeredExactlyOnce: true },
      ratio: 1.1,
    };
    const text = formatBenchReport(report);
    expect(text).toMatch(/^runtime +11\.00 +20\.0 +1\.00$/m);
    expect(text).toMatch(/^floor +10\.00 +12\.0 +1\.00$/m);
    expect(text).toContain('ratio runtime/floor: 1.100 (target <= 1.15: met)');
    expect(text).toContain('processes per invocation: 1 (target 1: met)');
    expect(text).toContain('each of 1001 invocations answered exactly once: yes');
  });

  it('counts successful execve calls, once for an interrupted one', () => {
    const trace = [
      '100 execve("/usr/bin/dash", ["dash"], 0x0 /* 3 vars */) = 0',
      '101 execve("/usr/bin/curl", ["curl"], 0x0 /* 3 vars */ <unfinished ...>',
      '101 <... execve resumed>) = 0',
      '102 execve("/nope/curl", ["curl"], 0x0 /* 3 vars */) = -1 ENOENT (No such file or directory)',
    ].join('\n');
    expect(countExecs(trace)).toBe(2);
  });

  it('rejects bad flags before running anything', async () => {
    await expect(benchCommand.run({ invocations: '0' }, [])).rejects.toThrow(InputError);
    await expect(benchCommand.run({ invocations: 'many' }, [])).rejects.toThrow(/--invocations/);
    await expect(benchCommand.run({ shell: 'zsh' }, [])).rejects.toThrow(/--shell/);
  });
});

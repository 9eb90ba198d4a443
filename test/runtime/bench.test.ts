import { benchCommand } from '../../src/commands/bench.js';
import { InputError } from '../../src/errors.js';
import { countExecs } from '../../src/bench/strace.js';
import { formatBenchReport, type BenchReport, type BenchResult } from '../../src/bench/run.js';

const result = (ms: number, processes: number, cpuMs?: number): BenchResult => ({
  msPerInvocation: ms,
  cpuMsPerInvocation: cpuMs,
  initMs: 20,
  processesPerInvocation: processes,
  answeredExactlyOnce: true,
});

// Running the benchmark itself (strace, 1,000 invocations) is `npm run bench`, not a test.
describe('bench', () => {
  it('prints each transport of each shell against its floor, with the verdicts and the hand-over', () => {
    const report: BenchReport = {
      invocations: 1000,
      tracedInvocations: 200,
      cpuPercent: 7.2,
      quota: 'cgroup v1 at /x: 7200 us of CPU every 100000 us',
      shells: [
        {
          shell: 'bash',
          floor: result(10, 1),
          paths: [
            { transport: 'bash', handler: 'example', result: result(3.5, 0), ratio: 0.35 },
            { transport: 'curl', handler: 'example', result: result(12, 1), ratio: 1.2 },
          ],
        },
        {
          shell: 'dash',
          floor: result(8, 1, 6),
          paths: [
            {
              transport: 'curl',
              handler: 'example',
              result: result(9.6, 1, 7.5),
              ratio: 1.2,
              cpuRatio: 1.25,
            },
            {
              transport: 'curl',
              handler: 'no-op',
              result: result(9, 1, 6.6),
              ratio: 1.125,
              cpuRatio: 1.1,
            },
          ],
        },
      ],
      handover: { event: [0, 1], response: [0, 1] },
    };
    const text = formatBenchReport(report);
    expect(text).toContain(
      'per target with a 1024-byte event, at 7.2% of one core (cgroup v1 at /x: 7200 us of CPU every 100000 us)',
    );
    expect(text).toContain('no-op: handler() { :; }, the runtime alone');
    expect(text).toMatch(
      /^bash +bash +example +3\.50 +20\.0 +0\.00 +0\.350 +- +- {2}processes 0: met; ratio <= 0\.5: met$/m,
    );
    expect(text).toMatch(
      /^bash +curl +example +12\.00 +20\.0 +1\.00 +1\.200 +- +- {2}processes 1: met; ratio <= 1\.15: missed$/m,
    );
    expect(text).toMatch(/^bash +floor +- +10\.00 +20\.0 +1\.00 +1\.000 +- +- /m);
    expect(text).toMatch(
      /^dash +curl +example +9\.60 +20\.0 +1\.00 +1\.200 +7\.50 +1\.250 {2}processes 1: met; ratio <= 1\.15: missed$/m,
    );
    expect(text).toMatch(
      /^dash +curl +no-op +9\.00 +20\.0 +1\.00 +1\.125 +6\.60 +1\.100 {2}processes 1: met; ratio <= 1\.15: met \(the runtime alone\)$/m,
    );
    expect(text).toMatch(/^dash +floor +- +8\.00 +20\.0 +1\.00 +1\.000 +6\.00 +1\.000 /m);
    expect(text).toContain(
      "cpu ms: CPU time of the runtime's processes (shell, curl, handler) per invocation",
    );
    expect(text).toContain(
      'at 65536 and 65537 bytes: events 0 and 1 (dd copies a larger one), responses 0 and 1 (curl sends a larger one)',
    );
    expect(text).toContain('every invocation answered exactly once, for its own request id: yes');
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
    await expect(benchCommand.run({ 'cpu-percent': '0' }, [])).rejects.toThrow(/--cpu-percent/);
    await expect(benchCommand.run({ 'cpu-percent': 'half' }, [])).rejects.toThrow(/--cpu-percent/);
    await expect(benchCommand.run({ 'event-bytes': '3' }, [])).rejects.toThrow(/--event-bytes/);
  });
});

import { describe, expect, it } from '@jest/globals';
import { bar, seconds, terminalOutput } from './output.js';

function stream(isTTY: boolean) {
  const written: string[] = [];
  const fake = { isTTY, columns: 80, write: (text: string) => written.push(text) };
  return { out: terminalOutput(fake as unknown as NodeJS.WriteStream), written };
}

describe('the demo output', () => {
  it('rewrites one status line in place on a terminal', () => {
    const { out, written } = stream(true);
    out.status('  ⋯ Install 1.0s');
    out.status('  ⋯ Install 2.0s');
    out.line('  ✓ Install 2.4s');
    expect(written.join('')).toBe('  ⋯ Install 1.0s\r\x1b[2K  ⋯ Install 2.0s\r\x1b[2K  ✓ Install 2.4s\n');
  });

  it('prints only each judged interval of the analysis when it is not a terminal', () => {
    const { out, written } = stream(false);
    out.status('  ⋯ Install 1.0s');
    out.status(`  ⋯ Canary analysis ${bar(0.1)} 10 %  warming up, then judging`);
    out.status(`  ⋯ Canary analysis ${bar(0.5)} 50 %  interval 1/2: score 100`);
    out.status(`  ⋯ Canary analysis ${bar(0.6)} 60 %  interval 1/2: score 100`);
    out.status(`  ⋯ Canary analysis ${bar(1)} 100 %  interval 2/2: score 96`);
    out.line('  ✓ Canary analysis');
    expect(written).toEqual([
      `  ⋯ Canary analysis ${bar(0.5)} 50 %  interval 1/2: score 100\n`,
      `  ⋯ Canary analysis ${bar(1)} 100 %  interval 2/2: score 96\n`,
      '  ✓ Canary analysis\n',
    ]);
  });

  it('says durations as a person reads them', () => {
    expect([seconds(1_250), seconds(59_940), seconds(61_000), seconds(undefined)]).toEqual([
      '1.3s',
      '59.9s',
      '1m01s',
      '',
    ]);
    expect(bar(0.5, 4)).toBe('[##--]');
  });
});

import { describe, expect, it } from '@jest/globals';
import { parseOutputFile } from './output-file.js';

describe('parseOutputFile', () => {
  it('keeps the declared names (values may hold "="), and lists what it ignored', () => {
    expect(
      parseOutputFile('version=1.2.3\n# a comment\n\nquery=a=b\nstray=1\nnot a pair\n', ['version', 'query']),
    ).toEqual({
      outputs: { version: '1.2.3', query: 'a=b' },
      ignored: ['stray', 'not a pair'],
    });
  });
});

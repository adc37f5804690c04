import { describe, expect, it } from '@jest/globals';
import { LineSplitter } from './line-splitter.js';
import { Masker } from './masker.js';

describe('Masker', () => {
  it('masks the values of secret variables and variables named like secrets, longest first', () => {
    const masker = Masker.forEnvironment(
      {
        NPM_TOKEN: 'npm_abcdef',
        DB_PASSWORD: 'hunter22',
        CUSTOM: 'topsecretvalue',
        PLAIN: 'visible',
        SHORT_TOKEN: 'ab',
      },
      ['CUSTOM'],
    );
    expect(masker.mask('token npm_abcdef, pw hunter22, custom topsecretvalue, plain visible, ab')).toBe(
      'token ****, pw ****, custom ****, plain visible, ab',
    );
    expect(masker.mask('postgres://app:s3cr3tpw@db:5432/x')).toBe('postgres://app:****@db:5432/x');
  });
});

describe('LineSplitter', () => {
  const split = (chunks: Array<string | Buffer>, max?: number) => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line), max);
    for (const chunk of chunks) splitter.push(chunk);
    splitter.end();
    return lines;
  };

  it('joins lines across chunks, keeps split UTF-8 characters whole and ends on a last unterminated line', () => {
    const euro = Buffer.from('€');
    expect(
      split([
        'hel',
        'lo\nwor',
        Buffer.concat([Buffer.from('ld '), euro.subarray(0, 1)]),
        euro.subarray(1),
        '\r\nlast',
      ]),
    ).toEqual(['hello', 'world €', 'last']);
  });

  it('treats a bare carriage return as a line end, and cuts very long lines', () => {
    expect(split(['10%\r20%\r', '\n'])).toEqual(['10%', '20%']);
    expect(split(['abcdefghij\n'], 4)).toEqual(['abcd', 'efgh', 'ij']);
  });
});

import { describe, expect, it } from '@jest/globals';
import { SseParser } from './sse-parser.js';

describe('the event stream parser', () => {
  it('gives complete events as chunks arrive, and keeps a partial one for later', () => {
    const parser = new SseParser();
    expect(parser.feed(': keep-alive\n\nid: 7\nevent: execution.created\ndata: {"a"')).toEqual([]);
    expect(parser.feed(':1}\r\n\r\ndata: one\ndata: two\n\n')).toEqual([
      { id: '7', event: 'execution.created', data: '{"a":1}' },
      { id: undefined, event: 'message', data: 'one\ntwo' },
    ]);
  });

  it('skips retry fields and events without data', () => {
    const parser = new SseParser();
    expect(parser.feed('retry: 1000\n\nevent: ping\n\n')).toEqual([]);
  });
});

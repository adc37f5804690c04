import { describe, expect, it } from '@jest/globals';
import { parseRoute, routePath, type Route } from './routes.js';

describe('the pages and their paths', () => {
  it('reads every page back from the path it writes', () => {
    const routes: Array<Exclude<Route, { page: 'not-found' }>> = [
      { page: 'applications' },
      { page: 'sign-in' },
      { page: 'executions', application: 'shop' },
      { page: 'environments', application: 'shop' },
      { page: 'execution', executionId: 'e-1', stageId: undefined },
      { page: 'execution', executionId: 'e-1', stageId: 'deploy prod' },
      { page: 'canary', executionId: 'e-1', stageId: 'analysis' },
      { page: 'quality', executionId: 'e-1', stageId: 'gate' },
    ];
    for (const route of routes) {
      const [path, search] = routePath(route).split('?');
      expect(parseRoute(path!, search ? `?${search}` : '')).toEqual(route);
    }
  });

  it('takes /applications for the list of applications', () => {
    expect(parseRoute('/applications')).toEqual({ page: 'applications' });
  });

  it('answers not found for anything else, malformed escapes included', () => {
    expect(parseRoute('/executions/e-1/stages/x/logs')).toEqual({
      page: 'not-found',
      path: '/executions/e-1/stages/x/logs',
    });
    expect(parseRoute('/applications/%E0%A4%A')).toEqual({
      page: 'not-found',
      path: '/applications/%E0%A4%A',
    });
  });
});

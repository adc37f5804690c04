/** The UI's pages and their paths: one place that reads a path and writes one. */
export type Route =
  | { page: 'applications' }
  | { page: 'executions'; application: string }
  | { page: 'environments'; application: string }
  | { page: 'execution'; executionId: string; stageId: string | undefined }
  | { page: 'canary'; executionId: string; stageId: string }
  | { page: 'quality'; executionId: string; stageId: string }
  | { page: 'sign-in' }
  | { page: 'not-found'; path: string };

const part = (segment: string) => decodeURIComponent(segment);

export function parseRoute(pathname: string, search = ''): Route {
  const segments = pathname.split('/').filter(Boolean);
  const [first, second, third, fourth, fifth] = segments;
  try {
    if (segments.length === 0 || (first === 'applications' && segments.length === 1))
      return { page: 'applications' };
    if (first === 'sign-in' && segments.length === 1) return { page: 'sign-in' };
    if (first === 'applications' && second) {
      if (segments.length === 2) return { page: 'executions', application: part(second) };
      if (segments.length === 3 && third === 'environments')
        return { page: 'environments', application: part(second) };
    }
    if (first === 'executions' && second) {
      if (segments.length === 2) {
        const stage = new URLSearchParams(search).get('stage');
        return { page: 'execution', executionId: part(second), stageId: stage ?? undefined };
      }
      if (
        segments.length === 5 &&
        third === 'stages' &&
        fourth &&
        (fifth === 'canary' || fifth === 'quality')
      )
        return { page: fifth, executionId: part(second), stageId: part(fourth) };
    }
  } catch {
    // a malformed %-escape: not one of ours
  }
  return { page: 'not-found', path: pathname };
}

const seg = encodeURIComponent;

export function routePath(route: Exclude<Route, { page: 'not-found' }>): string {
  switch (route.page) {
    case 'applications':
      return '/';
    case 'sign-in':
      return '/sign-in';
    case 'executions':
      return `/applications/${seg(route.application)}`;
    case 'environments':
      return `/applications/${seg(route.application)}/environments`;
    case 'execution':
      return `/executions/${seg(route.executionId)}${route.stageId ? `?stage=${seg(route.stageId)}` : ''}`;
    case 'canary':
    case 'quality':
      return `/executions/${seg(route.executionId)}/stages/${seg(route.stageId)}/${route.page}`;
  }
}

import { stringify } from 'yaml';

/** A kubeconfig (cluster, user, context) that points kubectl or client-node at the test server. */
export function kubeconfigFor(url: string, namespace = 'default'): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'aviary-test', cluster: { server: url } }],
    users: [{ name: 'aviary-test', user: { token: 'aviary-test-token' } }],
    contexts: [{ name: 'aviary-test', context: { cluster: 'aviary-test', user: 'aviary-test', namespace } }],
    'current-context': 'aviary-test',
    preferences: {},
  });
}

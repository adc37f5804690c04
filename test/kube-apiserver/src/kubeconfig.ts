import { stringify } from 'yaml';

/** A kubeconfig (cluster, user, context) that points kubectl or client-node at the test server. */
export function kubeconfigFor(url: string, namespace = 'default'): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    // client-node refuses a plain http server unless insecure-skip-tls-verify is set.
    clusters: [{ name: 'aviary-test', cluster: { server: url, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'aviary-test', user: { token: 'aviary-test-token' } }],
    contexts: [{ name: 'aviary-test', context: { cluster: 'aviary-test', user: 'aviary-test', namespace } }],
    'current-context': 'aviary-test',
    preferences: {},
  });
}

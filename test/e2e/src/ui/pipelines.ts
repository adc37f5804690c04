/** The pipelines the UI's end-to-end tests run, small enough for a 2-core machine. */

/**
 * Parallel branches, a log with something like a secret, a person's judgment, then a release to
 * production by the local provider: `app` is a folder with a server.js started with `node`.
 */
export function judgmentPipeline(node: string, app: string): string {
  return `name: ui-e2e
stages:
  - id: checkout
    type: checkout
  - id: compile
    type: run
    name: Compile
    command: |
      echo "compiling the sources"
      echo "API_TOKEN=supersecretvalue123"
      sleep 3
      echo "compiled"
  - id: lint
    type: run
    name: Lint
    dependsOn: [checkout]
    command: |
      echo "lint clean"
      sleep 1
  - id: approve
    type: manual-judgment
    name: Approve the release
    instructions: Check the build, then approve.
    dependsOn: [compile, lint]
  - id: release
    type: deploy
    name: Release
    environment: production
    image: ui-e2e:\${trigger.sha}
    replicas: 1
    local:
      command: ${node} server.js
      directory: ${app}
`;
}

/** The released application: answers on PORT, /health included. */
export const SERVER_JS = `require('node:http')
  .createServer((request, response) => response.end(request.url === '/health' ? 'ok' : 'ui-e2e'))
  .listen(Number(process.env.PORT), '127.0.0.1');
`;

/** A stage that would run for minutes: the one cancelled from the UI. */
export const SLOW_PIPELINE = `name: ui-e2e
stages:
  - id: checkout
    type: checkout
  - id: wait-long
    type: run
    name: Long job
    command: |
      echo "working for a while"
      sleep 300
`;

/** A real canary analysis on scraped /metrics: a canary 40 % slower than its baseline. */
export function canaryPipeline(baselineUrl: string, canaryUrl: string): string {
  const canaryConfig = {
    name: 'ui-e2e',
    judge: { name: 'NetflixACAJudge-v1.0', judgeConfigurations: {} },
    // The scraper labels each instance as Kubernetes would label its pod.
    templates: { 'pod-in-namespace': 'pod=~"$${scope}.*",namespace="$${location}"' },
    metrics: [
      {
        name: 'latency',
        groups: ['response_time'],
        query: {
          type: 'prometheus',
          metricName: 'app_request_latency_ms',
          customFilterTemplate: 'pod-in-namespace',
        },
        analysisConfigurations: {
          canary: { direction: 'increase', effectSize: { allowedIncrease: 1.1 } },
        },
      },
      {
        name: 'throughput',
        groups: ['traffic'],
        query: {
          type: 'prometheus',
          metricName: 'http_requests_total',
          customFilterTemplate: 'pod-in-namespace',
          rate: true,
          rateWindow: '3s',
        },
        analysisConfigurations: { canary: { direction: 'decrease' } },
      },
    ],
    classifier: { groupWeights: { response_time: 60, traffic: 40 } },
  };
  return `name: ui-e2e
stages:
  - id: analysis
    type: canary-analysis
    name: Canary analysis
    config: ui-e2e
    source: scrape
    lifetime: 8s
    interval: 4s
    delay: 3s
    step: 1s
    thresholds: { pass: 90, marginal: 70 }
    baselineScope: ui-e2e-baseline
    canaryScope: ui-e2e-canary
    location: production
    baselineTargets: ['${baselineUrl}']
    canaryTargets: ['${canaryUrl}']
    canaryConfig: ${JSON.stringify(canaryConfig)}
`;
}

/**
 * Tests that write an LCOV report covering `hit` of 5 lines, and the quality gate on it: fails below
 * 50 %, warns below 90 %.
 */
export function qualityPipeline(hit: number): string {
  const lines = [1, 2, 3, 4, 5].map((n) => `DA:${n},${n <= hit ? 1 : 0}`).join('\\n');
  return `name: ui-e2e
stages:
  - id: checkout
    type: checkout
  - id: test
    type: run
    name: Test
    command: |
      mkdir -p coverage
      printf 'TN:\\nSF:src/flags.js\\n${lines}\\nLF:5\\nLH:${hit}\\nend_of_record\\n' > coverage/lcov.info
    reports:
      coverage: coverage/lcov.info
  - id: gate
    type: quality-gate
    name: Quality gate
    reports:
      coverage: \${stages.test.outputs.coverageReport}
    conditions:
      - { metric: coverage, op: lt, error: 50, warning: 90 }
`;
}

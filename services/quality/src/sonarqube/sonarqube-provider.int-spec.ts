import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startRecordedSonarQube, type RecordedSonarQube } from '../testing/sonarqube-server.js';
import { SonarQubeError, SonarQubeProvider } from './sonarqube-provider.js';

const TOKEN = 'squ_0123456789abcdef';

describe('the SonarQube provider, against recorded API answers on loopback', () => {
  let server: RecordedSonarQube;
  let provider: SonarQubeProvider;
  const never = new AbortController().signal;
  const soon = () => Date.now() + 30_000;

  beforeAll(async () => {
    server = await startRecordedSonarQube(TOKEN);
    provider = new SonarQubeProvider({
      url: server.url,
      token: TOKEN,
      waitMs: 5_000,
      pollMs: 50,
      httpTimeoutMs: 2_000,
    });
  });
  afterAll(() => server.close());

  it('waits for the analysis task, then reads the gate of that analysis in Aviary’s shape', async () => {
    const evaluation = await provider.evaluate(
      { projectKey: 'shop-orders', taskId: 'AVAn5RKqYwETbXvgas-I' },
      soon(),
      never,
    );
    expect(server.requests.map((r) => r.path)).toEqual([
      '/api/ce/task?id=AVAn5RKqYwETbXvgas-I',
      '/api/ce/task?id=AVAn5RKqYwETbXvgas-I',
      '/api/ce/task?id=AVAn5RKqYwETbXvgas-I',
      '/api/qualitygates/project_status?analysisId=AYxq3bq9fKg2mB5kT1Zr',
    ]);
    expect(evaluation).toMatchObject({
      provider: 'sonarqube',
      status: 'ERROR',
      gate: 'sonarqube:shop-orders',
      failing: ['shop-orders'],
      details: { taskId: 'AVAn5RKqYwETbXvgas-I', taskStatus: 'SUCCESS', analysisId: 'AYxq3bq9fKg2mB5kT1Zr' },
    });
    expect(
      evaluation.project.conditions.map((c) => [c.metric, c.op, c.error, c.actual, c.status, c.onNewCode]),
    ).toEqual([
      ['new_coverage', 'lt', 85, 82.50562381034781, 'ERROR', true],
      ['new_blocker_violations', 'gt', 0, 14, 'ERROR', true],
      ['new_sqale_debt_ratio', 'gt', 5, 0.6562109862671661, 'OK', true],
      ['coverage', 'lt', 80, 91.3, 'OK', false],
      ['reliability_rating', 'gt', 1, 3, 'ERROR', false],
    ]);
    expect(evaluation.project.measures['coverage']).toBe(91.3);
  });

  it('without a task, reads the project’s latest gate (the older format with warnings and periods)', async () => {
    const evaluation = await provider.evaluate({ projectKey: 'legacy', branch: 'main' }, soon(), never);
    expect(server.requests.at(-1)!.path).toBe(
      '/api/qualitygates/project_status?projectKey=legacy&branch=main',
    );
    expect(evaluation.status).toBe('WARN');
    expect(evaluation.project.conditions[1]).toMatchObject({
      metric: 'coverage',
      error: 92,
      warning: 95,
      actual: 93.1,
      status: 'WARN',
      onNewCode: true,
    });
  });

  it('says why it cannot: a failed task, a task that does not finish in time, an unknown task, a refused token, no server', async () => {
    const failure = async (promise: Promise<unknown>) => {
      try {
        await promise;
      } catch (error) {
        if (error instanceof SonarQubeError) return { message: error.message, retryable: error.retryable };
        throw error;
      }
      throw new Error('expected a SonarQubeError');
    };
    expect(
      await failure(provider.evaluate({ projectKey: 'p', taskId: 'AVAn5RKqYwETbXvgas-F' }, soon(), never)),
    ).toEqual({
      message:
        'SonarQube analysis task AVAn5RKqYwETbXvgas-F FAILED: Fail to extract report AVaXuGAi_te3Ldc_YItm from database',
      retryable: false,
    });
    const started = Date.now();
    const stuck = await failure(
      provider.evaluate({ projectKey: 'p', taskId: 'stuck' }, Date.now() + 400, never),
    );
    expect(stuck).toMatchObject({
      message: expect.stringMatching(/^SonarQube analysis task stuck still IN_PROGRESS after waiting/),
      retryable: true,
    });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(await failure(provider.evaluate({ projectKey: 'p', taskId: 'nope' }, soon(), never))).toEqual({
      message: "SonarQube: No activity found for task 'nope' (/api/ce/task)",
      retryable: false,
    });
    const wrongToken = new SonarQubeProvider({
      url: server.url,
      token: 'wrong',
      waitMs: 1_000,
      pollMs: 50,
      httpTimeoutMs: 2_000,
    });
    expect(await failure(wrongToken.evaluate({ projectKey: 'legacy' }, soon(), never))).toEqual({
      message: 'SonarQube refused the token (401) for /api/qualitygates/project_status',
      retryable: false,
    });
    const noServer = new SonarQubeProvider({
      url: 'http://127.0.0.1:1',
      token: TOKEN,
      waitMs: 1_000,
      pollMs: 50,
      httpTimeoutMs: 2_000,
    });
    expect(await failure(noServer.evaluate({ projectKey: 'legacy' }, soon(), never))).toMatchObject({
      message: expect.stringContaining(
        'SonarQube at http://127.0.0.1:1 did not answer /api/qualitygates/project_status',
      ),
      retryable: true,
    });
  });
});

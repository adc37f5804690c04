import { formatDuration } from '../duration.js';
import { FINISHED_STATUSES } from '../model.js';
import { type NodeServiceArguments } from '../schema/pipeline-file.js';
import { type PresetExpansion, type SettingsOrigin } from './expansion.js';

const CANARY_PASSED = 'stage("canary-analysis").status == "SUCCEEDED"';

/**
 * The stages the team's Jenkins library gave every Node.js API, written as an explicit pipeline:
 *
 *   checkout -> install -> lint + test (in parallel) -> quality scan -> quality gate (main branch)
 *   -> build + push image (tag = commit sha) -> deploy homolog
 *   -> deploy production (rolling, main branch)                                          -> notify
 *      or canary-deploy -> canary-analysis -> check-precondition -> promote | rollback    -> notify
 *
 * Production stages run on the main branch only; notify runs whatever happened before it.
 */
export function expandNodeService(args: NodeServiceArguments): PresetExpansion {
  const main = [args.mainBranch];
  const image = args.nodeImage;
  const servicePath = args.servicePath ?? args.name;
  const origins: SettingsOrigin[] = [];
  const stages: Record<string, unknown>[] = [];
  const add = (stage: Record<string, unknown>, from: Record<string, (string | number)[]> = {}) => {
    for (const [key, path] of Object.entries(from)) origins.push({ stageIndex: stages.length, key, path });
    stages.push(stage);
  };
  const fromServicePath = { servicePath: args.servicePath === undefined ? ['name'] : ['servicePath'] };

  add({ id: 'checkout', type: 'checkout', dependsOn: [] });
  add(
    { id: 'install', type: 'run', dependsOn: ['checkout'], image, command: 'npm ci' },
    { image: ['nodeImage'] },
  );
  const testReports = args.reports.test ?? { coverage: 'coverage/lcov.info' };
  const lintReports = args.reports.lint ?? {};
  add(
    {
      id: 'lint',
      type: 'run',
      dependsOn: ['install'],
      image,
      command: 'npm run lint',
      ...(Object.keys(lintReports).length > 0 ? { reports: lintReports } : {}),
    },
    { image: ['nodeImage'], ...(args.reports.lint ? { reports: ['reports', 'lint'] } : {}) },
  );
  add(
    {
      id: 'test',
      type: 'run',
      name: 'Test with coverage',
      dependsOn: ['install'],
      image,
      command: 'npm run test:ci:cover',
      env: args.testEnv,
      containers: args.containers,
      reports: testReports,
    },
    {
      image: ['nodeImage'],
      env: ['testEnv'],
      containers: ['containers'],
      ...(args.reports.test ? { reports: ['reports', 'test'] } : {}),
    },
  );
  // The scan reads every report the test and lint stages keep; the gate judges what the scan read.
  const scanned: Record<string, string> = {};
  for (const [from, reports] of [
    ['lint', lintReports],
    ['test', testReports],
  ] as const)
    for (const kind of Object.keys(reports)) scanned[kind] = `\${stages.${from}.outputs.${kind}Report}`;
  const quality = {
    gate: args.qualityGate,
    mainBranch: args.mainBranch,
    ...(args.subProjects ? { subProjects: args.subProjects } : {}),
  };
  const fromQuality = {
    if: ['mainBranch'],
    gate: ['qualityGate'],
    mainBranch: ['mainBranch'],
    ...(args.subProjects ? { subProjects: ['subProjects'] } : {}),
  };
  add(
    {
      id: 'quality-scan',
      type: 'quality-gate',
      dependsOn: ['lint', 'test'],
      if: { branches: main },
      mode: 'scan',
      reports: scanned,
      ...quality,
    },
    fromQuality,
  );
  add(
    {
      id: 'quality-gate',
      type: 'quality-gate',
      dependsOn: ['quality-scan'],
      if: { branches: main },
      mode: 'gate',
      analysis: '${stages.quality-scan.outputs.analysisId}',
      ...quality,
    },
    fromQuality,
  );
  add(
    {
      id: 'build',
      type: 'build-image',
      name: 'Build and push image',
      dependsOn: ['quality-gate'],
      repository: args.registryRepository ?? args.name,
      tag: '${trigger.sha}',
      buildArgs: { NODE_IMAGE: image },
    },
    { repository: args.registryRepository === undefined ? ['name'] : ['registryRepository'] },
  );
  add(
    {
      id: 'deploy-homolog',
      type: 'deploy',
      dependsOn: ['build'],
      environment: 'homolog',
      image: '${stages.build.outputs.imageUrl}',
      strategy: 'rolling',
      env: args.homologEnv,
      servicePath,
    },
    { env: ['homologEnv'], ...fromServicePath },
  );

  const production = { environment: 'production', env: args.productionEnv, servicePath };
  const fromProduction = { env: ['productionEnv'], if: ['mainBranch'], ...fromServicePath };
  let last: string[];
  if (!args.canaryEnabled) {
    add(
      {
        id: 'deploy-production',
        type: 'deploy',
        dependsOn: ['deploy-homolog'],
        if: { branches: main },
        onFailure: 'rollback',
        image: '${stages.build.outputs.imageUrl}',
        strategy: 'rolling',
        ...production,
      },
      fromProduction,
    );
    last = ['deploy-production'];
  } else {
    add(
      {
        id: 'canary-deploy',
        type: 'canary-deploy',
        name: 'Deploy baseline and canary',
        dependsOn: ['deploy-homolog'],
        if: { branches: main },
        onFailure: 'rollback',
        image: '${stages.build.outputs.imageUrl}',
        ...production,
      },
      fromProduction,
    );
    const { config, lifetime, interval, delay, step, thresholds } = args.canary;
    add(
      {
        id: 'canary-analysis',
        type: 'canary-analysis',
        dependsOn: ['canary-deploy'],
        if: { branches: main },
        config: config ?? args.name,
        lifetime: formatDuration(lifetime),
        interval: formatDuration(interval),
        ...(delay === undefined ? {} : { delay: formatDuration(delay) }),
        ...(step === undefined ? {} : { step: formatDuration(step) }),
        thresholds,
        baselineScope: '${stages.canary-deploy.outputs.baselineScope}',
        canaryScope: '${stages.canary-deploy.outputs.canaryScope}',
        location: '${stages.canary-deploy.outputs.location}',
        // Instance /metrics URLs where the deploy target knows them (the local provider): the
        // canary service scrapes them when it has no Prometheus.
        baselineTargets: '${stages.canary-deploy.outputs.baselineTargets}',
        canaryTargets: '${stages.canary-deploy.outputs.canaryTargets}',
      },
      {
        config: config === undefined ? ['name'] : ['canary', 'config'],
        lifetime: ['canary', 'lifetime'],
        interval: ['canary', 'interval'],
        ...(delay === undefined ? {} : { delay: ['canary', 'delay'] }),
        ...(step === undefined ? {} : { step: ['canary', 'step'] }),
        thresholds: ['canary', 'thresholds'],
        if: ['mainBranch'],
      },
    );
    add(
      {
        id: 'check-precondition',
        type: 'check-precondition',
        name: 'Canary passed?',
        dependsOn: ['canary-analysis'],
        // Runs after the analysis whatever its verdict, so a failed analysis leads to the rollback.
        if: { branches: main, statuses: ['SUCCEEDED', 'FAILED'] },
        expression: CANARY_PASSED,
      },
      { if: ['mainBranch'] },
    );
    add(
      {
        id: 'promote',
        type: 'promote',
        dependsOn: ['check-precondition'],
        // Only after a precondition that ran and passed: a skipped one must not promote.
        if: { branches: main, statuses: ['SUCCEEDED'] },
        environment: 'production',
        image: '${stages.canary-deploy.outputs.canaryImage}',
      },
      { if: ['mainBranch'] },
    );
    add(
      {
        id: 'rollback',
        type: 'rollback',
        dependsOn: ['check-precondition'],
        if: { branches: main, statuses: ['FAILED'] },
        environment: 'production',
        image: '${stages.canary-deploy.outputs.baselineImage}',
      },
      { if: ['mainBranch'] },
    );
    last = ['promote', 'rollback'];
  }
  add(
    {
      id: 'notify',
      type: 'notify',
      dependsOn: last,
      if: { statuses: [...FINISHED_STATUSES] },
      ...args.notify,
    },
    { channels: ['notify', 'channels'], message: ['notify', 'message'] },
  );

  const document: Record<string, unknown> = {
    name: args.name,
    concurrency: args.concurrency,
    triggers: args.triggers,
    ...(args.notifications === undefined ? {} : { notifications: args.notifications }),
    stages,
  };
  return { document, origins };
}

export * from './model.js';
export { type ExecutionContext, TRIGGER_FIELDS } from './context.js';
export { parseDuration, formatDuration, DURATION_PATTERN } from './duration.js';
export { branchMatches } from './branch-match.js';
export {
  STAGE_OUTPUTS,
  STAGE_TYPE_SPECS,
  stageOutputs,
  settingsOf,
  type StageSettingsByType,
} from './stage-types.js';
export {
  parsePipeline,
  checkPipelineData,
  type ParsePipelineResult,
  type ParsePipelineOptions,
} from './validation/parse-pipeline.js';
export {
  evaluateCondition,
  triggerMatches,
  DEFAULT_RUN_STATUSES,
  type ConditionResult,
} from './condition.js';
export { formatErrors, type PipelineError } from './validation/errors.js';
export {
  type Expression,
  type ComparisonOperator,
  type Literal,
  referencedStages,
} from './expression/ast.js';
export {
  parseExpression,
  type ParseExpressionResult,
  type ExpressionSyntaxError,
} from './expression/parser.js';
export { evaluateExpression, ExpressionError } from './expression/evaluate.js';
export { resolveTemplates, templateReferences, TemplateError } from './templates/resolve.js';
export { type TemplateReference } from './templates/template.js';
export {
  PipelineFile,
  NodeServicePreset,
  ExplicitPipeline,
  type NodeServiceArguments,
} from './schema/pipeline-file.js';
export {
  BuildImageSettings,
  CheckoutSettings,
  REPORT_KINDS,
  RunSettings,
  DeploySettings,
  CanaryDeploySettings,
  CanaryAnalysisSettings,
  PromoteSettings,
  RollbackSettings,
  DEPLOY_STRATEGIES,
  QualityGateSettings,
  QualityCondition,
} from './schema/stage-settings.js';
export { DeployOverrides, LocalRun } from './schema/deploy-overrides.js';
export { pipelineJsonSchema, renderPipelineSchemaFile, PIPELINE_SCHEMA_ID } from './schema/json-schema.js';

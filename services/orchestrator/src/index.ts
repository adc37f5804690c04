export { orchestratorService } from './service.js';
export { OrchestratorModule } from './orchestrator.module.js';
export { OrchestratorEnvironment, loadOrchestratorConfig } from './config/orchestrator-config.js';

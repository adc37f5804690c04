export { orchestratorService } from './service.js';
export { OrchestratorModule } from './orchestrator.module.js';

import { runService } from '@aviary/runtime';
import { orchestratorService } from './service.js';

await runService(orchestratorService);

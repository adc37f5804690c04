import { runService } from '@aviary/runtime';
import { canaryService } from './service.js';

await runService(canaryService);

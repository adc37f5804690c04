import { runService } from '@aviary/runtime';
import { deployerService } from './service.js';

await runService(deployerService);

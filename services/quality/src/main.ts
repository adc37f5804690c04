import { runService } from '@aviary/runtime';
import { qualityService } from './service.js';

await runService(qualityService);

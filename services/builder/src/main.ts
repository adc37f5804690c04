import { runService } from '@aviary/runtime';
import { builderService } from './service.js';

await runService(builderService);

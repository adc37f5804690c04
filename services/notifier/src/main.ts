import { runService } from '@aviary/runtime';
import { notifierService } from './service.js';

await runService(notifierService);

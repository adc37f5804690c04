import { runService } from '@aviary/runtime';
import { gatewayService } from './service.js';

await runService(gatewayService);

export { gatewayService } from './service.js';
export { GatewayModule } from './gateway.module.js';

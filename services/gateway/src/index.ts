export { createGatewayService, gatewayService, type GatewayServiceOptions } from './service.js';
export { GatewayModule } from './gateway.module.js';
export { GatewayEnvironment, loadGatewayConfig } from './config/gateway-config.js';

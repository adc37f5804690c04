export { deployerService } from './service.js';
export { DeployerModule } from './deployer.module.js';

export { builderService } from './service.js';
export { BuilderModule } from './builder.module.js';
export { BuilderEnvironment, loadBuilderConfig, type BuilderConfig } from './config/builder-config.js';
// The daemonless image builder the build-image stage runs, for tools that build an image the same way.
export { OciImageBuilder } from './images/image-builder.js';
export { RegistryClient } from './images/oci/registry-client.js';
export { parseImageReference } from './images/oci/reference.js';

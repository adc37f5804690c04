export const DEPLOYER_CONFIG = Symbol('DEPLOYER_CONFIG');
export const TARGETS = Symbol('TARGETS');

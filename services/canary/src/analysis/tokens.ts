export const CANARY_CONFIG = Symbol('CANARY_CONFIG');

export const QUALITY_CONFIG = Symbol('QUALITY_CONFIG');

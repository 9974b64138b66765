// FMC: corporate SIM cards as office extensions. Pure rules shared by the
// api (validation, views) and call-control (which port, which number).
export * from './numbers';
export * from './iccid';
export * from './caller-id';
export * from './templates';
export * from './plan';
export * from './device-settings';
export * from './sims';
export * from './number-ranges';

// FMC: /api/gateways and /api/sims.
export { gatewayRoutes } from './gateways';
export { simRoutes } from './sims';
export { numberRangeRoutes } from './number-ranges';

// The path named in index.ts's API comment; the state machines live in transaction/.
export { TransactionLayer, viaFor, newBranch } from './transaction/transaction-layer';
export type { TransactionLayerOptions } from './transaction/transaction-layer';

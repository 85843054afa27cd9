/** The rewards engine (docs/rewards.md): re-exports only; each module has one job. */
export * from './rule-schema';
export * from './compile';
export * from './facts';
export * from './counters';
export * from './conditions';
export * from './state';
export * from './outcomes';
export * from './engine';
export * from './assignment';
export * from './levels';
export * from './points-ledger';
export * from './wheel';
export * from './dry-run';

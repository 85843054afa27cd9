/** Live blackjack, the pure engine: cards and shoe, rules as data, side bets, the round, settlement, strategy, the simulated player. */
export * from './cards';
export * from './shoe';
export * from './rules';
export * from './side-bets';
export * from './state';
export * from './betting';
export * from './dealing';
export { legalActions, decide, currentTurn, timeout, insure, insuranceOffered, closeInsurance, refusal, ACTIONS, type Action, type DecisionRequest, type InsuranceRequest } from './decisions';
export { dealerMustDraw, dealerHasBlackjack } from './flow';
export * from './settlement';
export * from './autoplay';
export * from './strategy';
export * from './player-policy';
export type * from './events';
export * from './edge-events';

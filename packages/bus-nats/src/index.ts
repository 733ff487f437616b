/**
 * The NodeBus over NATS: `connectNatsBus` for composition roots, the subject scheme
 * for operators writing NATS permissions.
 */
export { connectNatsBus, type ConnectNatsBusOptions } from './connect-nats-bus';
export { redactCredentials } from './redact-credentials';
export {
  NatsBus,
  type NatsBusObservation,
  type NatsBusState,
  type NatsBusTimeouts,
} from './nats-bus';
export {
  NO_NATS_METRICS,
  createNatsBusMetrics,
  type NatsBusMetrics,
  type NatsErrorOperation,
} from './nats-bus-metrics';
export { SUBJECT_PREFIX, allNodesSubject, nodeSubject } from './subjects';

/**
 * The HTTP endpoint node: RFC 8030 push API for application servers.
 * `createEndpointNode` is the composition entry point (used by the CLI);
 * `createEndpointApp` serves the same routes for in-process tests.
 */
export {
  createEndpointNode,
  type EndpointNode,
  type EndpointNodeOptions,
} from './create-endpoint-node';
export {
  createEndpointApp,
  DEFAULT_ENDPOINT_SETTINGS,
  type EndpointApp,
  type EndpointAppDeps,
  type EndpointSettings,
} from './create-endpoint-app';
export {
  acceptPush,
  type AcceptPushDeps,
  type AcceptPushInput,
  type AcceptPushOutcome,
} from './accept-push';
export { cancelMessage, type CancelMessageDeps, type CancelMessageOutcome } from './cancel-message';
export { ERROR_DOCS_URL, RETRY_AFTER_SECONDS, errorBody, type ErrorBody } from './http-errors';

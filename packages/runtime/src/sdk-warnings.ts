/**
 * Turns off the AWS SDK's start-up warning that future SDK releases will need Node 22.
 * Herald pins Node 20 on purpose (uWebSockets.js has native binaries only up to 20) and
 * pins the SDK version, so the warning tells operators nothing they can act on and
 * would print on every start. An operator who sets the variable keeps their choice.
 * Lives here because this package is the only one that touches the environment.
 */
export function silenceSdkNodeVersionWarning(env: NodeJS.ProcessEnv = process.env): void {
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

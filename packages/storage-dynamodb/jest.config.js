// The SDK's "Node 22 soon" notice, printed once per test file, would bury real output;
// Herald pins Node 20 on purpose (see runtime's sdk-warnings.ts).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

module.exports = require('../../jest.preset.js')(__dirname);

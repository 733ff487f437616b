// The in-process DynamoDB client (ClusterStorage) would print the AWS SDK's "future releases
// need Node 22" notice; Herald pins Node 20 on purpose (see runtime's sdk-warnings.ts).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// Each suite starts a whole cluster of processes: one suite at a time on a small machine.
module.exports = require('../../jest.preset.js')(__dirname, { maxWorkers: 1, testTimeout: 60000 });

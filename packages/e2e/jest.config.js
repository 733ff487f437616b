// Each suite starts a whole cluster of processes: one suite at a time on a small machine.
module.exports = require('../../jest.preset.js')(__dirname, { maxWorkers: 1, testTimeout: 60000 });

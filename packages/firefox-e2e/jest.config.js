// One Firefox (and one Herald) at a time: each suite drives a real browser and real
// herald processes, which would slow each other past their timeouts on a small machine.
module.exports = require('../../jest.preset.js')(__dirname, { maxWorkers: 1, testTimeout: 60000 });

import { InProcessBus, type NodeBus } from '@herald/core';
import { describeNodeBusContract, startNatsServer } from '@herald/testkit';
import { connectNatsBus } from '../src';
import { RecordingLogger } from './recording-logger';

describeNodeBusContract('NatsBus against a real nats-server', async () => {
  const server = await startNatsServer();
  let count = 0;
  return {
    makeBus: async () => {
      count += 1;
      return connectNatsBus({
        servers: [server.url],
        name: `contract-${count}`,
        log: new RecordingLogger(),
      });
    },
    dispose: () => server.stop(),
  };
});

// InProcessBus has no hub shared between instances: one instance is the whole bus, so
// every "process" gets the same one (and the suite's close test, which runs last,
// closes it for all).
describeNodeBusContract('InProcessBus', () => {
  const bus: NodeBus = new InProcessBus();
  return Promise.resolve({
    makeBus: () => Promise.resolve(bus),
    dispose: () => Promise.resolve(),
  });
});

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
      return connectNatsBus({ servers: [server.url], name: `contract-${count}`, log: new RecordingLogger() });
    },
    dispose: () => server.stop(),
  };
});

describeNodeBusContract('InProcessBus', async () => {
  const bus: NodeBus = new InProcessBus();
  return {
    makeBus: async () => bus,
    dispose: async () => undefined,
  };
});

import { deployedNodeOptions, nodeOptionsOf } from '../src/processes/deployed-node-options';

describe("the suite's Herald nodes", () => {
  it("start connection nodes with the Helm chart's NODE_OPTIONS for that role", () => {
    expect(deployedNodeOptions('connection')).toMatch(/--max-semi-space-size=\d+/);
  });

  it("reads each role's own nodeOptions, unquoted", () => {
    const values = [
      'connection:',
      '  replicaCount: 2',
      "  nodeOptions: '--max-semi-space-size=2'",
      'endpoint:',
      '  nested:',
      '    nodeOptions: wrong',
      '  nodeOptions: ""',
    ].join('\n');
    expect(nodeOptionsOf(values, 'connection')).toBe('--max-semi-space-size=2');
    expect(nodeOptionsOf(values, 'endpoint')).toBe('');
  });
});

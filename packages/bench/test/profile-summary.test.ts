import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summariseAllocations, summariseProfile } from '../src/report/profile-summary';

function frame(functionName: string, url: string, lineNumber = 0) {
  return { functionName, url, lineNumber, scriptId: '0', columnNumber: 0 };
}

const SIGN = frame('sign', 'file:///repo/packages/storage-dynamodb/dist/wire/sigv4-signer.js', 22);
const PARSE = frame(
  'parse',
  'file:///repo/node_modules/.pnpm/x@1/node_modules/@nats-io/nats-core/lib/parser.js',
  83,
);
const WRITE = frame('writev', '');

describe('profile summaries', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'herald-profile-summary-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('add up allocated bytes per package and function over the whole call tree, per push', () => {
    const path = join(dir, 'window.heapprofile');
    writeFileSync(
      path,
      JSON.stringify({
        head: {
          callFrame: frame('(root)', ''),
          selfSize: 0,
          children: [
            { callFrame: SIGN, selfSize: 6_000, children: [{ callFrame: PARSE, selfSize: 3_000 }] },
            // The same function reached by another path counts once, summed.
            { callFrame: WRITE, selfSize: 0, children: [{ callFrame: SIGN, selfSize: 1_000 }] },
          ],
        },
        samples: [],
      }),
    );

    expect(summariseAllocations(path, 10)).toEqual({
      file: path,
      bytesPerPush: 1_000,
      byPackage: [
        { name: '@herald/storage-dynamodb', selfPercent: 70 },
        { name: '@nats-io/nats-core', selfPercent: 30 },
      ],
      top: [
        {
          function: 'sign',
          location: 'packages/storage-dynamodb/dist/wire/sigv4-signer.js:23',
          selfPercent: 70,
        },
        {
          function: 'parse',
          location: 'node_modules/.pnpm/x@1/node_modules/@nats-io/nats-core/lib/parser.js:84',
          selfPercent: 30,
        },
      ],
    });
  });

  it('leave idle samples out of a CPU profile, so shares are of busy time', () => {
    const path = join(dir, 'window.cpuprofile');
    const nodes = [
      { id: 1, callFrame: frame('(root)', '') },
      { id: 2, callFrame: frame('(idle)', '') },
      { id: 3, callFrame: WRITE },
      { id: 4, callFrame: SIGN },
    ];
    writeFileSync(path, JSON.stringify({ nodes, samples: [2, 2, 2, 2, 3, 3, 3, 4] }));

    expect(summariseProfile(path)).toEqual({
      byPackage: [
        { name: '(native)', selfPercent: 75 },
        { name: '@herald/storage-dynamodb', selfPercent: 25 },
      ],
      top: [
        { function: 'writev', location: '', selfPercent: 75 },
        {
          function: 'sign',
          location: 'packages/storage-dynamodb/dist/wire/sigv4-signer.js:23',
          selfPercent: 25,
        },
      ],
    });
  });
});

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { renderMetricsDoc } from '../src/reference-docs/metrics-doc';
import { heraldBinary } from '@herald/testkit';

const GENERATOR = join(__dirname, '..', 'scripts', 'generate-docs.js');

describe('generated reference pages', () => {
  it('docs/configuration.md and docs/metrics.md match the code (run `pnpm -F @herald/cli docs` if this fails)', async () => {
    // The generator renders from dist/ (which heraldBinary() proves is built) and formats
    // with Prettier, which cannot load inside jest's module sandbox.
    expect(heraldBinary()).toContain('dist');
    const result = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(process.execPath, [GENERATOR, '--check'], (error, _stdout, stderr) =>
        resolve({ code: error === null ? 0 : Number(error.code ?? 1), stderr }),
      );
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('names every metric herald_… and never labels one with a uaid, token or URL', () => {
    const page = renderMetricsDoc();
    const names = [...page.matchAll(/^\| `([a-z_:]+)` \|/gm)].map((m) => m[1]);
    expect(names.length).toBeGreaterThan(20);
    for (const name of names) expect(name).toMatch(/^herald_/);
    expect(page).not.toMatch(/`(uaid|token|url|channel_id|message_id)`/);
  });
});

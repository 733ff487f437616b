import { printedLines, runHerald } from '@herald/testkit';

describe('herald tools', () => {
  it('prints a fresh endpoint-token key alone on the last line of stdout', async () => {
    const first = await runHerald(['keys', 'generate']);
    const second = await runHerald(['keys', 'generate']);
    expect(first.code).toBe(0);
    const key = printedLines(first.stdout).at(-1) ?? '';
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(key, 'base64url')).toHaveLength(32);
    expect(printedLines(second.stdout).at(-1)).not.toBe(key);
  });

  it('prints a VAPID key pair as text and as JSON', async () => {
    const text = await runHerald(['vapid', 'generate']);
    expect(text.code).toBe(0);
    const [publicLine, privateLine] = printedLines(text.stdout);
    expect(publicLine).toMatch(/^publicKey: +[A-Za-z0-9_-]{87}$/);
    expect(privateLine).toMatch(/^privateKey: +[A-Za-z0-9_-]{43}$/);

    const json = await runHerald(['vapid', 'generate', '--json']);
    const pair = JSON.parse(json.stdout) as { publicKey: string; privateKey: string };
    expect(Buffer.from(pair.publicKey, 'base64url')).toHaveLength(65);
    expect(Buffer.from(pair.privateKey, 'base64url')).toHaveLength(32);
  });

  it.each([
    ['dev'],
    ['connection'],
    ['endpoint'],
    ['tables'],
    ['local-dynamodb'],
    ['keys'],
    ['vapid'],
    ['send'],
    ['broadcast'],
  ])('documents `herald %s --help` and exits 0', async (command) => {
    const result = await runHerald([command, '--help']);
    expect(result.code).toBe(0);
    expect(printedLines(result.stdout)[0]).toMatch(new RegExp(`^Usage: herald ${command}`));
  });

  it('lists every command in `herald --help`', async () => {
    const result = await runHerald(['--help']);
    expect(result.code).toBe(0);
    for (const command of [
      'dev',
      'connection',
      'endpoint',
      'tables create',
      'local-dynamodb',
      'keys generate',
      'vapid generate',
      'send',
      'broadcast',
    ]) {
      expect(result.stdout).toContain(`  ${command} `);
    }
  });

  it('rejects an unknown command or flag with status 2 and no stack trace', async () => {
    const unknown = await runHerald(['launch']);
    expect(unknown.code).toBe(2);
    expect(printedLines(unknown.stderr)[0]).toBe('herald: unknown command "launch"');

    const flag = await runHerald(['send', 'http://localhost:1/wpush/v1/x', '--colour', 'red']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("Unknown option '--colour'");
    expect(flag.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses to send without the subscription keys', async () => {
    const result = await runHerald(['send', 'http://localhost:1/wpush/v1/x']);
    expect(result.code).toBe(2);
    expect(printedLines(result.stderr)[0]).toContain('--p256dh and --auth are required');
  });
});

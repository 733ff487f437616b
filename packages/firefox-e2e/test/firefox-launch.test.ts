/**
 * A browser test must fail, with the reason, when Firefox is missing or dies: never pass
 * or skip quietly. These check the launcher's own failure reports.
 */
import { launchFirefox } from '../src';

const options = {
  serverUrl: 'ws://127.0.0.1:9/',
  loopbackOrigin: 'http://127.0.0.1:9',
  startUrl: 'about:blank',
};

describe('launching Firefox', () => {
  it('rejects with the install command when the binary is missing', async () => {
    await expect(launchFirefox({ ...options, binary: '/nonexistent/firefox-esr' })).rejects.toThrow(
      /not installed at \/nonexistent\/firefox-esr.*apt-get install -y firefox-esr/,
    );
  });

  it('reports a browser that exits before its push client says hello, with its exit status', async () => {
    const firefox = await launchFirefox({ ...options, binary: '/bin/false' });
    try {
      await expect(firefox.waitForPushClient(10_000)).rejects.toThrow(
        /Firefox exited \(code 1\) before its push client said hello/,
      );
    } finally {
      await firefox.stop();
    }
  });
});

import { UserAgent } from '@herald/testkit';
import type { HeraldCluster } from './cluster';

/**
 * Opens user agents on a cluster's connection nodes and closes them all at the end of a
 * test. A "browser" moving between nodes is a new connection that keeps the previous
 * one's uaid and subscription keys (its profile).
 */
export class AgentPool {
  private readonly agents = new Set<UserAgent>();

  constructor(private readonly cluster: HeraldCluster) {}

  /**
   * Connects to connection node `node` and says `hello`: as a new user agent, or as the
   * same browser as `previous` (same uaid and keys), whether or not that one is still open.
   */
  async open(node: number, previous?: UserAgent): Promise<UserAgent> {
    const agent = await UserAgent.connect(this.cluster.connection(node).wsUrl, {
      ...(previous === undefined ? {} : { profile: previous.profile }),
      timeoutMs: 10_000,
    });
    this.agents.add(agent);
    const reply = await agent.hello(previous?.uaid, 10_000);
    if (reply['status'] !== 200) throw new Error(`hello answered ${JSON.stringify(reply)}`);
    if (previous?.uaid !== undefined && agent.uaid !== previous.uaid) {
      throw new Error(`hello gave a new uaid ${agent.uaid} instead of ${previous.uaid}`);
    }
    return agent;
  }

  /** Closes every agent still open (client side, code 1000). */
  async closeAll(): Promise<void> {
    const agents = [...this.agents];
    this.agents.clear();
    await Promise.all(agents.map((agent) => (agent.isOpen ? agent.close() : agent.closed)));
  }
}

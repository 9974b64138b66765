// Which app connections want which verbs, with round robin per verb
// (notes A.6.1 step 6: skip dead connections, none ⇒ the caller answers 503).
import type { AppConnection } from './app-connection';

export class AppRegistry {
  private readonly connections = new Set<AppConnection>();
  private readonly cursor = new Map<string, number>();

  add(conn: AppConnection): void {
    this.connections.add(conn);
  }

  remove(conn: AppConnection): void {
    this.connections.delete(conn);
  }

  get size(): number {
    return this.connections.size;
  }

  get authenticatedCount(): number {
    let n = 0;
    for (const c of this.connections) if (c.authenticated && !c.closed) n++;
    return n;
  }

  /** All live, authenticated connections that routed `verb`, in connection order. */
  routedFor(verb: string): AppConnection[] {
    const out: AppConnection[] = [];
    for (const c of this.connections) if (c.authenticated && !c.closed && c.routes.has(verb)) out.push(c);
    return out;
  }

  /** Next connection for `verb` in round robin, or undefined when none routed it. */
  pick(verb: string): AppConnection | undefined {
    const list = this.routedFor(verb);
    if (list.length === 0) return undefined;
    const i = (this.cursor.get(verb) ?? 0) % list.length;
    this.cursor.set(verb, i + 1);
    return list[i];
  }

  /** How many live apps routed each verb (health). */
  routeCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of this.connections) {
      if (!c.authenticated || c.closed) continue;
      for (const v of c.routes) out[v] = (out[v] ?? 0) + 1;
    }
    return out;
  }

  all(): AppConnection[] {
    return [...this.connections];
  }
}

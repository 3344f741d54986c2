// A local HTTP server on 127.0.0.1 (random port) that records every POST: the webhook receiver
// of the delivery tests. The test servers must accept http endpoints on loopback
// (COS_WEBHOOK_ALLOW_HTTP=true, COS_WEBHOOK_ALLOWED_NETWORKS=127.0.0.0/8,::1/128; scripts/sdk-test
// sets them).
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the receiver got: its path, headers and raw body. */
export interface Delivery {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export class Receiver {
  /** The status it answers (204 unless changed). */
  status = 204;
  readonly #server: Server;
  readonly #deliveries: Delivery[] = [];
  readonly #waiters: (() => void)[] = [];

  private constructor() {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        this.#deliveries.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(this.status).end();
        for (const wake of this.#waiters.splice(0)) wake();
      });
    });
  }

  static async start(): Promise<Receiver> {
    const receiver = new Receiver();
    await new Promise<void>((resolve) => receiver.#server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  /** Where to point an endpoint. */
  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/hooks`;
  }

  /** The next delivery in arrival order; rejects after `timeoutMs`. */
  async next(timeoutMs = 30_000): Promise<Delivery> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const delivery = this.#deliveries.shift();
      if (delivery) return delivery;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no webhook delivery reached ${this.url} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The deliveries received and not yet returned by `next`. */
  pending(): Delivery[] {
    return this.#deliveries.splice(0);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

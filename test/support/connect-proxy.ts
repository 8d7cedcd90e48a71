/**
 * An HTTP proxy on loopback, for tests of HTTPS_PROXY/HTTP_PROXY/NO_PROXY: a real server that
 * tunnels CONNECT requests (what undici's ProxyAgent sends) to their target and records each one.
 */
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';

export class ConnectProxy {
  /** `host:port` of every CONNECT, in order. */
  readonly tunnels: string[] = [];

  private constructor(private readonly server: http.Server) {}

  static async start(): Promise<ConnectProxy> {
    const server = http.createServer((_req, res) => {
      res.writeHead(405);
      res.end('this proxy only tunnels (CONNECT)');
    });
    const sut = new ConnectProxy(server);
    server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
      sut.tunnels.push(req.url ?? '');
      const [host, port] = (req.url ?? '').split(':');
      const upstream = net.connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return sut;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

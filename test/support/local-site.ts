import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A web server on 127.0.0.1 that a test fetches from (these machines have no outside network). */
export interface LocalSite {
  /** http://127.0.0.1:<port> */
  base: string;
  close(): Promise<void>;
}

export async function startLocalSite(handler: http.RequestListener): Promise<LocalSite> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

import type http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A test server listening on 127.0.0.1: its URL, how many connections it took, and a stop that also ends kept-alive ones. */
export interface Loopback {
  endpoint: string;
  connections(): number;
  stop(): Promise<void>;
}

export async function listenOnLoopback(server: http.Server): Promise<Loopback> {
  const sockets = new Set<Socket>();
  let connections = 0;
  server.on('connection', (socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

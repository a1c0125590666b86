import { createServer, type AddressInfo, type Socket } from 'node:net';
import { ListShardsCommand } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { createKinesisClient } from './kinesis-client.js';

describe('the Kinesis client', () => {
  it('fails a request to an endpoint that accepts connections and never answers, after SocketTimeout', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const client = createKinesisClient({
      awsRegion: { type: 'custom-endpoint', endpoint: `http://127.0.0.1:${port}`, id: 'us-east-1' },
      awsCredentials: { type: 'basic', accessKeyId: 'test', secretAccessKey: 'test' },
      clientConfigProperties: new Map([
        ['SocketTimeout', '200'],
        ['MaxErrorRetry', '0'],
      ]),
    });
    try {
      const started = Date.now();
      await expect(client.send(new ListShardsCommand({ StreamName: 's' }))).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(sockets.length).toBeGreaterThan(0);
    } finally {
      client.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

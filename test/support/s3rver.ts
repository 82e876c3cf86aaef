/**
 * A real S3-compatible server for tests: `s3rver` on 127.0.0.1 (any free port) over a temp
 * folder, with one bucket made at start. `options` are what `openArtifactStore` needs to reach it.
 */
import type { AddressInfo } from 'node:net';
import S3rver from 's3rver';
import type { S3Options } from '../../adapters/artifacts/s3.ts';
import { tempDir } from './store.ts';

export interface TestS3Server {
  readonly bucket: string;
  readonly options: S3Options;
  close(): Promise<void>;
}

/** Starts s3rver with `bucket` created; `close()` stops it. */
export async function startS3Server(bucket = 'clash-test'): Promise<TestS3Server> {
  const dir = tempDir('s3rver-');
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: dir.path,
    configureBuckets: [{ name: bucket }],
  });
  const address = (await server.run()) as AddressInfo;
  return {
    bucket,
    options: {
      endpoint: `http://127.0.0.1:${address.port}`,
      region: 'us-east-1',
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      forcePathStyle: true,
    },
    close: async () => {
      await server.close();
      dir.remove();
    },
  };
}

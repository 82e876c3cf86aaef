/**
 * The S3-compatible artifact store (`s3://bucket/prefix`) through `@aws-sdk/client-s3`. Works
 * with AWS S3, Cloudflare R2, MinIO and `s3rver`; for the non-AWS servers give the endpoint
 * and keep path-style addressing on. A `put` is one PutObject: S3 replaces an object whole.
 */
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type ArtifactInfo, type ArtifactStore, checkKey, checkPrefix, sortedByKey } from './store.ts';

/** Connection settings; credentials are never part of the store's `url`. */
export interface S3Options {
  /** `https://…` of an S3-compatible server; unset means AWS S3 itself. */
  readonly endpoint?: string | undefined;
  readonly region: string;
  readonly accessKeyId?: string | undefined;
  readonly secretAccessKey?: string | undefined;
  /** `bucket.endpoint/key` (false) or `endpoint/bucket/key` (true, what S3-compatible servers expect). */
  readonly forcePathStyle: boolean;
}

/** An `ArtifactStore` over the objects of `bucket` whose keys start with `prefix` (no trailing slash). */
export class S3ArtifactStore implements ArtifactStore {
  readonly url: string;
  readonly #client: S3Client;
  readonly #base: string;

  constructor(
    readonly bucket: string,
    prefix: string,
    options: S3Options,
  ) {
    this.url = `s3://${bucket}${prefix ? `/${prefix}` : ''}`;
    this.#base = prefix ? `${prefix}/` : '';
    const credentials =
      options.accessKeyId && options.secretAccessKey
        ? { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey }
        : undefined;
    this.#client = new S3Client({
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(credentials ? { credentials } : {}),
    });
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    await this.#client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.#base + checkKey(key), Body: bytes }));
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      const object = await this.#client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.#base + checkKey(key) }));
      return object.Body ? await object.Body.transformToByteArray() : new Uint8Array();
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }

  async list(prefix = ''): Promise<ArtifactInfo[]> {
    const found: ArtifactInfo[] = [];
    let token: string | undefined;
    do {
      const page = await this.#client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.#base + checkPrefix(prefix), ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key) found.push({ key: object.Key.slice(this.#base.length), size: object.Size ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return sortedByKey(found);
  }

  async delete(key: string): Promise<void> {
    await this.#client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.#base + checkKey(key) }));
  }

  /** Closes the client's sockets. */
  close(): void {
    this.#client.destroy();
  }
}

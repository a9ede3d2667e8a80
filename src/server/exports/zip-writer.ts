// A streaming ZIP writer for the XLSX export: small parts are added whole,
// one large part is deflated AS IT IS WRITTEN straight into the sink, with
// constant memory. Enough of the ZIP format (PKWARE APPNOTE 6.3) for that and
// nothing more:
//
//   - every entry has a local header; a whole part carries its CRC-32 and
//     sizes there; the streamed part sets flag bit 3 and writes them after its
//     data in a data descriptor (with its signature, as Excel and unzip expect);
//   - the central directory and its end record come last, at finish();
//   - no ZIP64: every offset and size must stay below 4 GiB. Crossing it would
//     write a file that no reader opens, so the writer fails first with
//     ZipTooLargeError (the export is then cut and audited incomplete).
//
// Backpressure (the export's invariant 2): write() resolves only when zlib has
// room for more, and zlib's output is paused while the sink needs a drain, so
// a stalled download stops the export instead of growing memory. zlib runs in
// libuv's thread pool: the deflating overlaps the building of the next rows.
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import zlib from 'node:zlib';

/** The largest offset or size a ZIP without ZIP64 can record. */
export const ZIP32_LIMIT = 0xffff_ffff;

export class ZipTooLargeError extends Error {
  constructor(what: string) {
    super(`${what} would exceed 4 GiB, the largest a ZIP without ZIP64 holds`);
    this.name = 'ZipTooLargeError';
  }
}

const FLAG_DATA_DESCRIPTOR = 0x0008;
const FLAG_UTF8_NAME = 0x0800;
const METHOD_STORE = 0;
const METHOD_DEFLATE = 8;
const VERSION_NEEDED = 20; // 2.0: deflate, data descriptors

interface Entry {
  name: Buffer;
  flags: number;
  method: number;
  crc: number;
  compressed: number;
  size: number;
  offset: number;
}

/** MS-DOS date and time of a wall-clock Date (its UTC fields are the wall clock). */
function dosDateTime(wall: Date): { date: number; time: number } {
  const year = Math.min(Math.max(wall.getUTCFullYear(), 1980), 2107);
  return {
    date: ((year - 1980) << 9) | ((wall.getUTCMonth() + 1) << 5) | wall.getUTCDate(),
    time: (wall.getUTCHours() << 11) | (wall.getUTCMinutes() << 5) | (wall.getUTCSeconds() >> 1),
  };
}

export interface ZipWriterOptions {
  /** Aborting it ends any wait for the sink or zlib with the signal's reason. */
  signal?: AbortSignal | undefined;
  /** The entries' modification time, as wall-clock fields in UTC (default: now). */
  modified?: Date | undefined;
  /** zlib level of the streamed entry, 1 (fastest) to 9 (smallest). */
  level?: number | undefined;
  /** Tests only: the size limit instead of ZIP32_LIMIT. */
  limit?: number | undefined;
}

export interface ZipEntryStream {
  /** Adds bytes to the entry; resolves when more may be written. */
  write(data: Buffer): Promise<void>;
  /** Flushes the entry and writes its data descriptor. */
  close(): Promise<void>;
}

export class ZipWriter {
  private offset = 0;
  private readonly entries: Entry[] = [];
  private readonly stamp: { date: number; time: number };
  private readonly limit: number;
  private open: zlib.DeflateRaw | undefined;

  constructor(
    private readonly sink: Writable,
    private readonly options: ZipWriterOptions = {},
  ) {
    this.stamp = dosDateTime(options.modified ?? new Date());
    this.limit = options.limit ?? ZIP32_LIMIT;
  }

  private check(value: number, what: string) {
    if (value > this.limit) throw new ZipTooLargeError(what);
  }

  private push(bytes: Buffer) {
    this.offset += bytes.length;
    this.check(this.offset, 'the file');
    return this.sink.write(bytes);
  }

  private async drained() {
    const signal = this.options.signal;
    signal?.throwIfAborted();
    if (this.sink.writableNeedDrain) await once(this.sink, 'drain', signal ? { signal } : {});
  }

  private localHeader(e: Entry): Buffer {
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(VERSION_NEEDED, 4);
    h.writeUInt16LE(e.flags, 6);
    h.writeUInt16LE(e.method, 8);
    h.writeUInt16LE(this.stamp.time, 10);
    h.writeUInt16LE(this.stamp.date, 12);
    // With a data descriptor, CRC and sizes are zero here.
    h.writeUInt32LE(e.crc >>> 0, 14);
    h.writeUInt32LE(e.compressed, 18);
    h.writeUInt32LE(e.size, 22);
    h.writeUInt16LE(e.name.length, 26);
    h.writeUInt16LE(0, 28);
    return Buffer.concat([h, e.name]);
  }

  /** A small part, whole: deflated at once (stored when that is not smaller). */
  async addFile(name: string, content: string | Buffer): Promise<void> {
    if (this.open) throw new Error('a streamed entry is still open');
    const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    const deflated = zlib.deflateRawSync(data);
    const stored = deflated.length >= data.length;
    const body = stored ? data : deflated;
    this.check(data.length, name);
    const e: Entry = { name: Buffer.from(name, 'utf8'), flags: FLAG_UTF8_NAME, method: stored ? METHOD_STORE : METHOD_DEFLATE, crc: zlib.crc32(data), compressed: body.length, size: data.length, offset: this.offset };
    this.entries.push(e);
    this.push(this.localHeader(e));
    this.push(body);
    await this.drained();
  }

  /** Opens the one large part, deflated as it is written. Close it before the next entry. */
  stream(name: string): ZipEntryStream {
    if (this.open) throw new Error('a streamed entry is still open');
    const e: Entry = { name: Buffer.from(name, 'utf8'), flags: FLAG_DATA_DESCRIPTOR | FLAG_UTF8_NAME, method: METHOD_DEFLATE, crc: 0, compressed: 0, size: 0, offset: this.offset };
    this.entries.push(e);
    this.push(this.localHeader(e));
    const deflate = zlib.createDeflateRaw({ level: this.options.level ?? 1, chunkSize: 64 * 1024 });
    this.open = deflate;
    const signal = this.options.signal;
    let failure: unknown;
    // An 'error' without a listener would crash the process; it fails the next write instead.
    deflate.on('error', (error) => (failure ??= error));
    const resume = () => deflate.resume();
    deflate.on('data', (chunk: Buffer) => {
      e.compressed += chunk.length;
      try {
        this.check(e.compressed, name);
        if (!this.push(chunk)) {
          deflate.pause();
          this.sink.once('drain', resume);
        }
      } catch (error) {
        failure ??= error;
        deflate.destroy(error as Error); // rejects a write() or close() waiting on zlib
      }
    });
    const ended = once(deflate, 'end');
    ended.catch(() => undefined); // awaited in close(); a failure surfaces there or in write()
    const fail = () => {
      if (failure !== undefined) throw failure;
      signal?.throwIfAborted();
    };
    return {
      write: async (data) => {
        fail();
        e.size += data.length;
        this.check(e.size, name);
        e.crc = zlib.crc32(data, e.crc);
        if (!deflate.write(data)) await once(deflate, 'drain', signal ? { signal } : {});
        fail();
      },
      close: async () => {
        fail();
        deflate.end();
        if (signal) {
          const aborted = once(signal, 'abort').then(() => signal.throwIfAborted());
          await Promise.race([ended, aborted]);
        } else await ended;
        fail();
        this.sink.off('drain', resume);
        this.open = undefined;
        const d = Buffer.alloc(16);
        d.writeUInt32LE(0x08074b50, 0);
        d.writeUInt32LE(e.crc >>> 0, 4);
        d.writeUInt32LE(e.compressed, 8);
        d.writeUInt32LE(e.size, 12);
        this.push(d);
        await this.drained();
      },
    };
  }

  /** Writes the central directory, ends the sink and waits until it took every byte. */
  async finish(): Promise<void> {
    if (this.open) throw new Error('a streamed entry is still open');
    if (this.entries.length > 0xffff) throw new ZipTooLargeError('the number of entries');
    const start = this.offset;
    const records = this.entries.map((e) => {
      const c = Buffer.alloc(46);
      c.writeUInt32LE(0x02014b50, 0);
      c.writeUInt16LE(VERSION_NEEDED, 4); // made by: MS-DOS, 2.0
      c.writeUInt16LE(VERSION_NEEDED, 6);
      c.writeUInt16LE(e.flags, 8);
      c.writeUInt16LE(e.method, 10);
      c.writeUInt16LE(this.stamp.time, 12);
      c.writeUInt16LE(this.stamp.date, 14);
      c.writeUInt32LE(e.crc >>> 0, 16);
      c.writeUInt32LE(e.compressed, 20);
      c.writeUInt32LE(e.size, 24);
      c.writeUInt16LE(e.name.length, 28);
      // extra, comment, disk, internal and external attributes: 0
      c.writeUInt32LE(e.offset, 42);
      return Buffer.concat([c, e.name]);
    });
    const directory = Buffer.concat(records);
    this.check(start + directory.length, 'the file');
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(this.entries.length, 8);
    end.writeUInt16LE(this.entries.length, 10);
    end.writeUInt32LE(directory.length, 12);
    end.writeUInt32LE(start, 16);
    this.push(directory);
    this.push(end);
    this.sink.end();
    await finished(this.sink, { readable: false });
  }

  /** Frees zlib after a failure (the caller destroys the sink). */
  destroy(): void {
    this.open?.destroy();
    this.open = undefined;
  }
}

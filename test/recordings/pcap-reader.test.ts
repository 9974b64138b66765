import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parsePcap, PcapParser, readPcapFile } from '../../services/recordings/pcap-reader';
import { buildPcap, linkFrame, pcapGlobalHeader, pcapRecord, udpDatagram } from './pcap-builder';

const pkts = [
  { timeUs: 1_700_000_000_000_001, src: '10.0.0.1:4000', dst: '127.0.0.1:30000', payload: Buffer.from('hello') },
  { timeUs: 1_700_000_000_020_002, src: '[2001:db8::1]:4002', dst: '[::1]:30002', payload: Buffer.from('world!') },
];

describe('pcap reader', () => {
  for (const linkType of [101, 1, 113] as const) {
    for (const littleEndian of [true, false]) {
      it(`reads link type ${linkType}, ${littleEndian ? 'little' : 'big'}-endian, IPv4 and IPv6`, () => {
        const { datagrams, stats, linkType: lt } = parsePcap(buildPcap(pkts, { linkType, littleEndian }));
        expect(lt).toBe(linkType);
        expect(stats.udp).toBe(2);
        expect(datagrams.map((d) => [d.timeUs, d.src, d.dst, d.payload.toString()])).toEqual([
          [1_700_000_000_000_001, '10.0.0.1:4000', '127.0.0.1:30000', 'hello'],
          [1_700_000_000_020_002, '[2001:db8::1]:4002', '[::1]:30002', 'world!'],
        ]);
      });
    }
  }

  it('reads nanosecond-resolution files', () => {
    const { datagrams } = parsePcap(buildPcap(pkts.slice(0, 1), { nano: true }));
    expect(datagrams[0]?.timeUs).toBe(1_700_000_000_000_001);
  });

  it('gives the same datagrams when fed one byte at a time', () => {
    const buf = buildPcap(pkts, { linkType: 1 });
    const p = new PcapParser();
    const got = [];
    for (let i = 0; i < buf.length; i++) got.push(...p.push(buf.subarray(i, i + 1)).map((d) => d.payload.toString()));
    p.end();
    expect(got).toEqual(['hello', 'world!']);
  });

  it('skips non-UDP, fragments and clipped records, counting each', () => {
    const tcp = udpDatagram('1.1.1.1:1', '2.2.2.2:2', Buffer.from('x'));
    tcp[9] = 6;
    const frag = udpDatagram('1.1.1.1:1', '2.2.2.2:2', Buffer.from('x'));
    frag.writeUInt16BE(0x2000, 6);
    const badIhl = udpDatagram('1.1.1.1:1', '2.2.2.2:2', Buffer.from('x'));
    badIhl[0] = 0x42;
    const full = udpDatagram('1.1.1.1:1', '2.2.2.2:2', Buffer.from('clipped payload'));
    const buf = Buffer.concat([
      pcapGlobalHeader(),
      pcapRecord(1, tcp),
      pcapRecord(2, frag),
      pcapRecord(2, badIhl),
      pcapRecord(3, full.subarray(0, 30), {}, full.length),
      pcapRecord(4, udpDatagram('1.1.1.1:1', '2.2.2.2:2', Buffer.from('ok'))),
    ]);
    const { datagrams, stats } = parsePcap(buf);
    expect(datagrams.map((d) => d.payload.toString())).toEqual(['ok']);
    expect(stats).toMatchObject({ records: 5, udp: 1, notUdp: 2, fragments: 1, clipped: 1 });
  });

  it('trims Ethernet padding using the IP total length', () => {
    const frame = Buffer.concat([linkFrame(1, udpDatagram('1.1.1.1:1', '2.2.2.2:2', Buffer.from('a'))), Buffer.alloc(20)]);
    const { datagrams } = parsePcap(Buffer.concat([pcapGlobalHeader({ linkType: 1 }), pcapRecord(1, frame, { linkType: 1 })]));
    expect(datagrams[0]?.payload.toString()).toBe('a');
  });

  it('rejects a truncated file with the offset', () => {
    const buf = buildPcap(pkts);
    expect(() => parsePcap(buf.subarray(0, buf.length - 3))).toThrowError(
      expect.objectContaining({ code: 'pcap-truncated' }),
    );
    const tolerant = parsePcap(buf.subarray(0, buf.length - 3), { allowTruncatedTail: true });
    expect(tolerant.datagrams).toHaveLength(1);
    expect(tolerant.stats.truncatedTailBytes).toBeGreaterThan(0);
  });

  it('rejects foreign files with a clear code and message', () => {
    const err = (b: Buffer) => {
      try {
        parsePcap(b);
      } catch (e) {
        return e as { code: string; message: string };
      }
      throw new Error('no error');
    };
    expect(err(Buffer.from('RIFF....WAVEfmt junk junk junk'))).toMatchObject({
      code: 'pcap-not-pcap',
      message: 'not a classic pcap file: unknown magic number 0x52494646',
    });
    const ng = Buffer.alloc(28);
    ng.writeUInt32BE(0x0a0d0d0a, 0);
    expect(err(ng).message).toContain('pcapng');
    expect(err(Buffer.alloc(0))).toMatchObject({ code: 'pcap-not-pcap', message: 'not a classic pcap file: the file is empty' });
    expect(err(pcapGlobalHeader().subarray(0, 10)).code).toBe('pcap-not-pcap');
    const wrongLink = pcapGlobalHeader({ linkType: 101 });
    wrongLink.writeUInt32LE(105, 20);
    expect(err(wrongLink)).toMatchObject({ code: 'pcap-link-type-unsupported' });
    const huge = Buffer.concat([pcapGlobalHeader(), Buffer.alloc(16)]);
    huge.writeUInt32LE(10_000_000, 24 + 8);
    expect(err(huge)).toMatchObject({ code: 'pcap-record-too-large' });
  });

  it('streams a file from disk', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pcap-'));
    const file = path.join(dir, 'a.pcap');
    const many = Array.from({ length: 5000 }, (_, i) => ({
      timeUs: 1e15 + i * 20_000,
      src: '127.0.0.1:4000',
      dst: '127.0.0.1:30000',
      payload: Buffer.alloc(172, i & 0xff),
    }));
    writeFileSync(file, buildPcap(many));
    let n = 0;
    for await (const d of readPcapFile(file)) {
      expect(d.payload[0]).toBe(n & 0xff);
      n++;
    }
    expect(n).toBe(5000);
  });
});

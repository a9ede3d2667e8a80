// Draws the app icons (a door with knock marks on the brand blue) as PNGs,
// with no image library: a tiny rasteriser with 4×4 supersampling and a PNG
// encoder on node:zlib. Run: npx tsx scripts/make-icons.ts
import { deflateSync } from 'node:zlib';
import { writeFileSync, mkdirSync } from 'node:fs';

type RGBA = [number, number, number, number];
const BLUE: RGBA = [11, 92, 173, 255];
const WHITE: RGBA = [255, 255, 255, 255];
const GOLD: RGBA = [255, 196, 0, 255];

/** Shape test in unit coordinates (0..1); returns the colour at that point or null. */
type Painter = (x: number, y: number) => RGBA | null;

function roundedRect(x0: number, y0: number, x1: number, y1: number, r: number) {
  return (x: number, y: number) => {
    if (x < x0 || x > x1 || y < y0 || y > y1) return false;
    const cx = Math.min(Math.max(x, x0 + r), x1 - r);
    const cy = Math.min(Math.max(y, y0 + r), y1 - r);
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
  };
}

function painter(maskable: boolean): Painter {
  // Maskable icons keep their content inside the central 80% safe zone and fill the square.
  const s = maskable ? 0.72 : 0.86;
  const o = (1 - s) / 2;
  const u = (v: number) => o + v * s;
  const bg = maskable ? () => true : roundedRect(0.04, 0.04, 0.96, 0.96, 0.2);
  const door = roundedRect(u(0.3), u(0.18), u(0.66), u(0.86), 0.02);
  const panel1 = roundedRect(u(0.36), u(0.26), u(0.6), u(0.5), 0.01);
  const panel2 = roundedRect(u(0.36), u(0.56), u(0.6), u(0.78), 0.01);
  const knob = (x: number, y: number) => (x - u(0.6)) ** 2 + (y - u(0.54)) ** 2 <= (0.035 * s) ** 2;
  const arc = (r: number) => (x: number, y: number) => {
    const dx = x - u(0.66);
    const dy = y - u(0.4);
    const d = Math.sqrt(dx * dx + dy * dy);
    return dx > 0 && Math.abs(dy) < dx * 1.1 && Math.abs(d - r * s) < 0.025 * s;
  };
  const arcs = [arc(0.12), arc(0.22)];
  return (x, y) => {
    if (!bg(x, y)) return null;
    if (knob(x, y)) return GOLD;
    if (door(x, y)) return panel1(x, y) || panel2(x, y) ? [200, 222, 245, 255] : WHITE;
    if (arcs.some((a) => a(x, y))) return GOLD;
    return BLUE;
  };
}

function render(size: number, paint: Painter): Buffer {
  const ss = 4;
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let py = 0; py < size; py++) {
    raw[py * (size * 4 + 1)] = 0; // filter: none
    for (let px = 0; px < size; px++) {
      const acc = [0, 0, 0, 0];
      for (let sy = 0; sy < ss; sy++)
        for (let sx = 0; sx < ss; sx++) {
          const c = paint((px + (sx + 0.5) / ss) / size, (py + (sy + 0.5) / ss) / size);
          if (!c) continue;
          for (let k = 0; k < 3; k++) acc[k]! += c[k]! * c[3];
          acc[3]! += c[3];
        }
      const i = py * (size * 4 + 1) + 1 + px * 4;
      const a = acc[3]!;
      raw[i] = a ? Math.round(acc[0]! / a) : 0;
      raw[i + 1] = a ? Math.round(acc[1]! / a) : 0;
      raw[i + 2] = a ? Math.round(acc[2]! / a) : 0;
      raw[i + 3] = Math.round(a / (ss * ss));
    }
  }
  return png(size, size, raw);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function png(w: number, h: number, raw: Buffer): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

mkdirSync('public/icons', { recursive: true });
const out: Array<[string, number, boolean]> = [
  ['public/icons/icon-192.png', 192, false],
  ['public/icons/icon-512.png', 512, false],
  ['public/icons/maskable-512.png', 512, true],
  ['public/icons/apple-touch-icon-180.png', 180, true],
  ['public/favicon-32.png', 32, false],
];
for (const [file, size, maskable] of out) {
  writeFileSync(file, render(size, painter(maskable)));
  console.info(`wrote ${file}`);
}

/**
 * Bank logos the sandbox serves itself (the real API points at a CDN): an SVG tile with the bank's
 * colour and initials, and plain-colour PNGs for clients that only take PNG.
 */
import { deflateSync } from 'node:zlib';
import type { SandboxBank } from './catalogue.js';

export function initials(name: string): string {
  const words = name.split(/[\s-]+/).filter(Boolean);
  const letters = words.length >= 2 ? `${words[0]![0]}${words[1]![0]}` : (words[0] ?? '?').slice(0, 2);
  return letters.toUpperCase();
}

function rgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** White text on dark colours, near-black on light ones (WCAG relative luminance). */
function textColorOn(hex: string): string {
  const [r, g, b] = rgb(hex).map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return luminance > 0.35 ? '#111827' : '#FFFFFF';
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

export function logoSvg(bank: SandboxBank): string {
  const label = escapeXml(bank.name);
  return [
    '<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 96 96" role="img"',
    ` aria-label="${label}"><title>${label}</title>`,
    `<rect width="96" height="96" rx="18" fill="${bank.color}"/>`,
    `<text x="48" y="50" fill="${textColorOn(bank.color)}" font-family="Arial, Helvetica, sans-serif"`,
    ' font-size="38" font-weight="700" text-anchor="middle" dominant-baseline="middle">',
    `${escapeXml(initials(bank.name))}</text></svg>`,
  ].join('');
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A `size`×`size` RGBA PNG in the bank's colour; `round` makes everything outside the circle transparent. */
export function logoPng(bank: SandboxBank, round: boolean, size = 64): Buffer {
  const [r, g, b] = rgb(bank.color);
  const rowLength = 1 + size * 4;
  const raw = Buffer.alloc(rowLength * size);
  const centre = (size - 1) / 2;
  for (let y = 0; y < size; y++) {
    raw[y * rowLength] = 0; // filter: none
    for (let x = 0; x < size; x++) {
      const inside = !round || (x - centre) ** 2 + (y - centre) ** 2 <= (size / 2) ** 2;
      raw.set([r, g, b, inside ? 255 : 0], y * rowLength + 1 + x * 4);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

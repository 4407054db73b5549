// `npm start` where Electron's binary is missing runs Electron's own installer
// (scripts/electron-install.mjs): with progress, and bounded in time. Tested against a mirror on
// 127.0.0.1 (the installer's ELECTRON_MIRROR) serving a small zip in place of Electron's, with its
// checksum, and against one that stalls and one that refuses — the real installer runs each time,
// on the Node that runs the tests (the README's minimum or newer), into a copy of the package.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root } from '../helpers/server';
// @ts-expect-error -- a plain ES module script (scripts/ is not TypeScript)
import { installElectron } from '../../scripts/electron-install.mjs';

interface Result {
  ok: boolean;
  why?: string;
}
const install = installElectron as (o: Record<string, unknown>) => Promise<Result>;

/** A zip of stored (uncompressed) files, with Unix modes, as Electron's releases are zips. */
function zip(files: { name: string; data: Buffer; mode: number }[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const f of files) {
    const name = Buffer.from(f.name);
    const crc = crc32(f.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(f.data.length, 18);
    local.writeUInt32LE(f.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE((3 << 8) | 20, 4); // made on Unix: the external attributes hold the mode
    cd.writeUInt16LE(20, 6);
    cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(f.data.length, 20);
    cd.writeUInt32LE(f.data.length, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE(((0o100000 | f.mode) << 16) >>> 0, 38);
    cd.writeUInt32LE(offset, 42);
    locals.push(local, name, f.data);
    central.push(cd, name);
    offset += local.length + name.length + f.data.length;
  }
  const cdSize = central.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(cdSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...central, end]);
}

const pkg = JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')) as { version: string };
const arch = process.arch === 'arm' ? 'armv7l' : process.arch;
const zipName = `electron-v${pkg.version}-${process.platform}-${arch}.zip`;
const fakeZip = zip([
  { name: 'electron', data: Buffer.from('#!/bin/sh\necho "a stand-in for Electron"\n'), mode: 0o755 },
  { name: 'version', data: Buffer.from(pkg.version), mode: 0o644 },
  // Enough bytes that the download takes a few progress ticks.
  { name: 'resources.pak', data: Buffer.alloc(3_000_000, 7), mode: 0o644 },
]);
const shasums = `${createHash('sha256').update(fakeZip).digest('hex')} *${zipName}\n`;

type Behaviour = 'serve' | 'stall' | 'slow';
let behaviour: Behaviour = 'serve';
let mirror: Server;
let mirrorUrl: string;
let work: string;
const open = new Set<ServerResponse>();

/** Sends the zip in pieces, one each 100 ms, as a real download comes in. */
async function trickle(res: ServerResponse, data: Buffer, pieces: number): Promise<void> {
  res.writeHead(200, { 'Content-Type': 'application/zip', 'Content-Length': data.length });
  const piece = Math.ceil(data.length / pieces);
  for (let i = 0; i < data.length && !res.destroyed; i += piece) {
    res.write(data.subarray(i, i + piece));
    await new Promise((r) => setTimeout(r, 100));
  }
  res.end();
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'forkscope-electron-test-'));
  mirror = createServer((req, res) => {
    open.add(res);
    res.on('close', () => open.delete(res));
    if (req.url === `/v${pkg.version}/SHASUMS256.txt`) return void res.end(shasums);
    if (req.url !== `/v${pkg.version}/${zipName}`) return void res.writeHead(404).end();
    if (behaviour === 'stall') {
      res.writeHead(200, { 'Content-Type': 'application/zip', 'Content-Length': fakeZip.length });
      res.write(fakeZip.subarray(0, 1000)); // and then nothing
      return;
    }
    void trickle(res, fakeZip, behaviour === 'slow' ? 50 : 10);
  });
  await new Promise<void>((r) => mirror.listen(0, '127.0.0.1', r));
  mirrorUrl = `http://127.0.0.1:${(mirror.address() as { port: number }).port}/`;
});

afterAll(async () => {
  for (const res of open) res.destroy();
  await new Promise((r) => mirror.close(r));
  rmSync(work, { recursive: true, force: true });
});

/** A copy of the electron package without its binary, as `npm install` may leave it. */
function packageCopy(name: string): string {
  const dir = join(work, name, 'electron');
  mkdirSync(dir, { recursive: true });
  for (const f of ['install.js', 'package.json', 'checksums.json']) copyFileSync(join(root, 'node_modules', 'electron', f), join(dir, f));
  return dir;
}

/** The installer's environment: this mirror, a private cache, and the project's node_modules. */
function env(name: string, mirrorAt = mirrorUrl): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_PATH: join(root, 'node_modules'), // the copy's require('@electron/get')
    ELECTRON_MIRROR: mirrorAt,
    electron_use_remote_checksums: '1', // the mirror's SHASUMS256.txt, not the real release's
    electron_config_cache: join(work, name, 'cache'),
  };
}

describe("npm start fetches Electron's binary with Electron's installer", () => {
  it('downloads it with progress, checks it, unpacks it', async () => {
    const pkgDir = packageCopy('ok');
    const said: string[] = [];
    const r = await install({ pkgDir, env: env('ok'), tickMs: 100, stallMs: 5000, say: (t: string) => said.push(t) });
    expect(r).toEqual({ ok: true });
    const lines = said.join('').split('\n').filter(Boolean);
    expect(lines.some((l) => new RegExp(`^forkscope: downloading Electron ${pkg.version}… \\d+\\.\\d MB in \\d+ s$`).test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(new RegExp(`^forkscope: Electron ${pkg.version} is installed \\(3\\.0 MB in \\d+ s\\)$`));
    // What npm start looks for: path.txt naming the binary under dist/.
    expect(readFileSync(join(pkgDir, 'path.txt'), 'utf8')).toBe('electron');
    expect(statSync(join(pkgDir, 'dist', 'electron')).mode & 0o111).not.toBe(0);
  });

  it('gives up on a download that stalls, and leaves nothing running', async () => {
    behaviour = 'stall';
    try {
      const pkgDir = packageCopy('stall');
      const t0 = Date.now();
      const r = await install({ pkgDir, env: env('stall'), tickMs: 100, stallMs: 1000, timeoutMs: 20_000 });
      expect(r).toEqual({ ok: false, why: 'the download made no progress for 1 s' });
      expect(Date.now() - t0).toBeLessThan(8000);
      expect(existsSync(join(pkgDir, 'dist'))).toBe(false);
      // The mirror sees its connection closed: the installer process is gone.
      await expect.poll(() => open.size, { timeout: 5000 }).toBe(0);
    } finally {
      behaviour = 'serve';
    }
  });

  it('gives up after the time limit even while bytes still come', async () => {
    behaviour = 'slow';
    try {
      const pkgDir = packageCopy('slow');
      const r = await install({ pkgDir, env: env('slow'), tickMs: 100, stallMs: 5000, timeoutMs: 1000 });
      expect(r).toEqual({ ok: false, why: 'the download did not finish within 1 s' });
      expect(existsSync(join(pkgDir, 'dist'))).toBe(false);
    } finally {
      behaviour = 'serve';
    }
  });

  it('says why in plain words when the download cannot start', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    const pkgDir = packageCopy('refused');
    const r = await install({ pkgDir, env: env('refused', `http://127.0.0.1:${port}/`), tickMs: 100 });
    expect(r.ok).toBe(false);
    expect(r.why).toMatch(/^the download failed: .*fetch failed/);
  });
});

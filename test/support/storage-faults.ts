/**
 * Real storage faults for tests that run the built server as a process. Each kind has a first
 * choice and a fallback that works without mounting, so the same assertions run everywhere:
 *
 * - full storage: a small tmpfs filled with a ballast file but for 8 KiB (root, and mount
 *   allowed); otherwise the server's file-size limit (RLIMIT_FSIZE) lowered to 4 KiB while it runs
 *   (`prlimit --pid`), so every write past the first 4 KiB of a file fails with EFBIG, then raised
 *   again.
 * - read-only storage: a tmpfs remounted read-only (root, and mount allowed); otherwise the
 *   directory made 0555, with the server run as uid 65534 when we are root (root ignores modes).
 *
 * STORAGE_FAULTS_WITHOUT_MOUNT=1 forces the fallbacks, to check them on a machine that can mount.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface FullStorage {
  /** Which mechanism this is, for the test output. */
  readonly mechanism: string;
  readonly dir: string;
  /**
   * Leaves room for a small file (an index snapshot's meta), none for the database to grow or for
   * an index snapshot.
   */
  fill(serverPid: number): void;
  /** Gives the room back. */
  release(serverPid: number): void;
  /** Unmounts and removes; never throws. */
  dispose(): void;
}

export interface ReadOnlyStorage {
  readonly mechanism: string;
  readonly dir: string;
  /** Run the server as this user (root without mount: modes bind only other users). */
  readonly runAs?: { uid: number; gid: number };
  makeReadOnly(): void;
  makeWritable(): void;
  dispose(): void;
}

const TMPFS_MB = 4;
const NOBODY = 65534;

export function fullStorage(dir: string): FullStorage {
  fs.mkdirSync(dir, { recursive: true });
  if (mountTmpfs(dir)) {
    const ballast = path.join(dir, 'ballast');
    return {
      mechanism: `a ${TMPFS_MB} MB tmpfs filled with a ballast file but for 8 KiB`,
      dir,
      fill: () => {
        fillUp(ballast);
        fs.truncateSync(ballast, fs.statSync(ballast).size - 8192);
      },
      release: () => fs.rmSync(ballast, { force: true }),
      dispose: () => unmount(dir),
    };
  }
  return {
    mechanism: "the server's file-size limit (RLIMIT_FSIZE) lowered to 4 KiB with prlimit",
    dir,
    fill: (pid) => setFileSizeLimit(pid, 4096),
    release: (pid) => setFileSizeLimit(pid, 'unlimited'),
    dispose: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

export function readOnlyStorage(dir: string): ReadOnlyStorage {
  fs.mkdirSync(dir, { recursive: true });
  if (mountTmpfs(dir)) {
    return {
      mechanism: `a ${TMPFS_MB} MB tmpfs remounted read-only`,
      dir,
      makeReadOnly: () => execFileSync('mount', ['-o', 'remount,ro', dir], { stdio: 'pipe' }),
      makeWritable: () => execFileSync('mount', ['-o', 'remount,rw', dir], { stdio: 'pipe' }),
      dispose: () => unmount(dir),
    };
  }
  const root = process.getuid?.() === 0;
  if (root) {
    // Modes do not bind root: the server runs as nobody, who owns the directory while it may write.
    fs.chownSync(dir, NOBODY, NOBODY);
    fs.chmodSync(path.dirname(dir), 0o711); // a test's own temporary directory: let nobody through
  }
  return {
    mechanism: `the directory made read-only (chmod 0555)${root ? ', the server running as uid 65534' : ''}`,
    dir,
    ...(root ? { runAs: { uid: NOBODY, gid: NOBODY } } : {}),
    makeReadOnly: () => fs.chmodSync(dir, 0o555),
    makeWritable: () => fs.chmodSync(dir, 0o755),
    dispose: () => {
      try {
        fs.chmodSync(dir, 0o755);
      } catch {
        // already gone
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function mountTmpfs(dir: string): boolean {
  if (process.env.STORAGE_FAULTS_WITHOUT_MOUNT === '1' || process.getuid?.() !== 0) return false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_MB}m`, 'tmpfs', dir], {
      stdio: 'pipe',
    });
    return true;
  } catch {
    return false; // e.g. a container without CAP_SYS_ADMIN
  }
}

function unmount(dir: string): void {
  for (const args of [[dir], ['-l', dir]]) {
    try {
      execFileSync('umount', args, { stdio: 'pipe' });
      break;
    } catch {
      // busy (a server still running): lazily detach on the second try
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Writes `file` until the file system has no room left. */
function fillUp(file: string): void {
  const block = Buffer.alloc(64 * 1024, 1);
  const fd = fs.openSync(file, 'a');
  try {
    for (let size = block.length; size >= 512;) {
      try {
        fs.writeSync(fd, block, 0, size);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
        size /= 2; // fill the last partial blocks too
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Sets the soft RLIMIT_FSIZE of a running process (the hard limit stays, so it can be raised again). */
function setFileSizeLimit(pid: number, soft: number | 'unlimited'): void {
  try {
    execFileSync('prlimit', [`--pid=${pid}`, `--fsize=${soft}:`], { stdio: 'pipe' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    // No util-linux: Python's resource module makes the same system call.
    const value = soft === 'unlimited' ? 'resource.RLIM_INFINITY' : String(soft);
    execFileSync('python3', [
      '-c',
      `import resource; _, hard = resource.prlimit(${pid}, resource.RLIMIT_FSIZE); resource.prlimit(${pid}, resource.RLIMIT_FSIZE, (${value}, hard))`,
    ]);
  }
}

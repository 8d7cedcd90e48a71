import { ModelUnavailableError, ServerBusyError } from '../../../common/errors';
import { ReplicaFailure, UpstreamBusy } from './remote-http';
import { ReplicaPool } from './replica-pool';

const A = 'http://a/v1';
const B = 'http://b/v1';

function pool(healthy: Set<string>) {
  return new ReplicaPool([A, B], {
    model: 'm',
    probeMaxMs: 1000,
    probe: (url) =>
      healthy.has(url) ? Promise.resolve() : Promise.reject(new Error(`${url}: refused`)),
  });
}

describe('ReplicaPool', () => {
  let sut: ReplicaPool;
  afterEach(() => sut.close());

  it('sends each call to the replica with the fewest in flight', async () => {
    sut = pool(new Set([A, B]));
    await sut.reach();
    const seen: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const slow = sut.run(
      async (url) => {
        seen.push(url);
        await held;
      },
      { idempotent: true },
    );
    await sut.run((url) => Promise.resolve(seen.push(url)), { idempotent: true });
    expect(seen[1]).not.toBe(seen[0]);
    release();
    await slow;
  });

  it('takes a failing replica out and tries an idempotent call on another', async () => {
    sut = pool(new Set([A, B]));
    await sut.reach();
    const calls: string[] = [];
    const out = await sut.run(
      (url) => {
        calls.push(url);
        if (url === calls[0]) throw new ReplicaFailure('unreachable', `${url}: ECONNREFUSED`);
        return Promise.resolve(url);
      },
      { idempotent: true },
    );
    expect(calls).toHaveLength(2);
    expect(out).toBe(calls[1]);
    const down = sut.statuses().find((s) => s.url === calls[0])!;
    expect(down).toMatchObject({
      state: 'down',
      failures: 1,
      lastError: `${calls[0]}: ECONNREFUSED`,
    });
  });

  it('reports each failure with its kind: a call timing out, a probe refused', async () => {
    const failures: string[] = [];
    const healthy = new Set([A, B]);
    sut = new ReplicaPool([A, B], {
      model: 'm',
      probeMaxMs: 1000,
      probe: (url) =>
        healthy.has(url) ? Promise.resolve() : Promise.reject(new Error(`${url}: refused`)),
      onFailure: (url, kind) => failures.push(`${url} ${kind}`),
    });
    await sut.reach();
    expect(failures).toEqual([]);
    healthy.delete(A);
    await sut.run(
      (url) => {
        if (url === A) throw new ReplicaFailure('timeout', `${url}: no answer in 100 ms`);
        return Promise.resolve(url);
      },
      { idempotent: true },
    );
    // A's probe comes 250 ms later and fails: counted as 'other' (not a ReplicaFailure).
    await new Promise((r) => setTimeout(r, 400));
    expect(failures).toEqual([`${A} timeout`, `${A} other`]);
  });

  it('does not repeat a call that timed out unless it is idempotent', async () => {
    sut = pool(new Set([A, B]));
    await sut.reach();
    let calls = 0;
    await expect(
      sut.run(
        () => {
          calls++;
          throw new ReplicaFailure('timeout', 'no response within 10 ms');
        },
        { idempotent: false },
      ),
    ).rejects.toBeInstanceOf(ReplicaFailure);
    expect(calls).toBe(1);
  });

  it('every replica busy: ServerBusyError with the shortest Retry-After', async () => {
    sut = pool(new Set([A, B]));
    await sut.reach();
    const err = await sut
      .run(
        (url) => {
          throw new UpstreamBusy(`${url} answered 429`, url === A ? 7 : 3);
        },
        { idempotent: true },
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerBusyError);
    expect((err as ServerBusyError).headers['Retry-After']).toBe('3');
    expect(sut.upCount).toBe(2); // busy is not down
  });

  it('none up: ModelUnavailableError naming each replica; a replica that heals is probed back in', async () => {
    const healthy = new Set<string>();
    sut = pool(healthy);
    await sut.reach();
    expect(sut.anyUp).toBe(false);
    await expect(sut.run(() => Promise.resolve(1), { idempotent: true })).rejects.toThrow(
      ModelUnavailableError,
    );
    expect(sut.reason).toBe(`${A}: refused; ${B}: refused`);
    healthy.add(B);
    for (let i = 0; i < 40 && !sut.anyUp; i++) await new Promise((r) => setTimeout(r, 50));
    expect(sut.statuses().map((s) => s.state)).toEqual(['down', 'up']);
  });
});

import { AllowedHosts, crossSiteRefusal, isLoopbackHost } from './request-boundary';

describe('loopback hosts', () => {
  it('knows localhost, 127.0.0.0/8 and ::1 from everything else', () => {
    for (const h of [
      '127.0.0.1',
      '127.1.2.3',
      'localhost',
      'LOCALHOST',
      '::1',
      '[::1]',
      '::ffff:127.0.0.1',
    ])
      expect(isLoopbackHost(h)).toBe(true);
    for (const h of [
      '0.0.0.0',
      '::',
      '192.168.1.5',
      '10.0.0.1',
      'example.com',
      'localhost.example.com',
    ])
      expect(isLoopbackHost(h)).toBe(false);
  });
});

describe('allowed Host headers', () => {
  it('allows the loopback names and the bind address, with any port', () => {
    const sut = new AllowedHosts('127.0.0.1', []);
    for (const h of ['localhost', 'localhost:3000', '127.0.0.1:3000', '[::1]:3000', 'LocalHost:1'])
      expect(sut.allows(h)).toBe(true);
    for (const h of [
      'attacker.example',
      'attacker.example:3000',
      '192.168.1.5:3000',
      '',
      undefined,
    ])
      expect(sut.allows(h)).toBe(false);
  });

  it('allows an IPv6 bind address in brackets', () => {
    const sut = new AllowedHosts('fd00::5', []);
    expect(sut.allows('[fd00::5]:3000')).toBe(true);
    expect(sut.allows('[fd00::6]:3000')).toBe(false);
  });

  it('allows every interface address when bound to a wildcard address, not names', () => {
    const sut = new AllowedHosts('0.0.0.0', [], ['127.0.0.1', '192.168.1.5', 'fe80::1']);
    expect(sut.allows('192.168.1.5:3000')).toBe(true);
    expect(sut.allows('[fe80::1]:3000')).toBe(true);
    expect(sut.allows('192.168.1.6:3000')).toBe(false);
    expect(sut.allows('rebind.attacker.example:3000')).toBe(false);
  });

  it('adds ALLOWED_HOSTS: names, *.suffix for subdomains, * for any', () => {
    const sut = new AllowedHosts('127.0.0.1', ['ragd.example.com', '*.corp.example']);
    expect(sut.allows('ragd.example.com')).toBe(true);
    expect(sut.allows('RAGD.example.com:443')).toBe(true);
    expect(sut.allows('a.corp.example')).toBe(true);
    expect(sut.allows('corp.example')).toBe(false);
    expect(sut.allows('evilcorp.example')).toBe(false);
    expect(sut.allows('localhost:3000')).toBe(true);
    expect(new AllowedHosts('127.0.0.1', ['*']).allows('anything.example')).toBe(true);
  });
});

describe('cross-site requests', () => {
  const none = new Set<string>();
  const host = 'localhost:3000';

  it('lets reads through from anywhere', () => {
    for (const m of ['GET', 'HEAD', 'OPTIONS'])
      expect(
        crossSiteRefusal(
          m,
          { origin: 'https://evil.example', host, secFetchSite: 'cross-site' },
          none,
        ),
      ).toBeUndefined();
  });

  it('refuses a state change from another origin, whatever it is', () => {
    for (const origin of ['https://evil.example', 'http://localhost:8080', 'null', 'not a url'])
      expect(crossSiteRefusal('POST', { origin, host }, none)).toMatch(/refused/);
    expect(crossSiteRefusal('DELETE', { origin: 'https://evil.example', host }, none)).toMatch(
      /DELETE/,
    );
  });

  it('lets a state change through from the server’s own origin or a CORS origin', () => {
    expect(
      crossSiteRefusal('POST', { origin: 'http://localhost:3000', host }, none),
    ).toBeUndefined();
    expect(
      crossSiteRefusal('PUT', { origin: 'http://LOCALHOST:3000', host }, none),
    ).toBeUndefined();
    const cors = new Set(['https://app.example']);
    expect(
      crossSiteRefusal(
        'POST',
        { origin: 'https://app.example', host, secFetchSite: 'cross-site' },
        cors,
      ),
    ).toBeUndefined();
  });

  it('refuses a browser request without Origin that says it is cross-site; lets other clients through', () => {
    expect(crossSiteRefusal('POST', { host, secFetchSite: 'cross-site' }, none)).toMatch(
      /cross-site/,
    );
    expect(crossSiteRefusal('POST', { host, secFetchSite: 'same-site' }, none)).toMatch(
      /same-site/,
    );
    expect(crossSiteRefusal('POST', { host, secFetchSite: 'same-origin' }, none)).toBeUndefined();
    expect(crossSiteRefusal('POST', { host }, none)).toBeUndefined(); // curl, SDKs
  });
});

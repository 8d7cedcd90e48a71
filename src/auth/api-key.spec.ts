import { apiKeyId, bearerToken, generateApiKey, hashApiKey, sameHash } from './api-key';

describe('API keys', () => {
  it('makes keys of 256 random bits after a recognisable prefix and a 16-hex id', () => {
    const sut = [generateApiKey(), generateApiKey()];
    for (const k of sut) {
      expect(k.key).toMatch(/^ragd_[0-9a-f]{16}_[0-9a-f]{64}$/);
      expect(k.key.startsWith(`ragd_${k.id}_`)).toBe(true);
      expect(apiKeyId(k.key)).toBe(k.id);
    }
    expect(sut[0]!.key).not.toBe(sut[1]!.key);
    expect(sut[0]!.id).not.toBe(sut[1]!.id);
  });

  it('stores the SHA-256 of the key, not the key', () => {
    const sut = generateApiKey();
    expect(sut.hash).toHaveLength(32);
    expect(sut.hash.equals(hashApiKey(sut.key))).toBe(true);
    expect(sut.hash.toString('hex')).not.toContain(sut.key.slice(22));
    // the known SHA-256 of "abc"
    expect(hashApiKey('abc').toString('hex')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('compares hashes exactly, including their length', () => {
    const a = hashApiKey('a');
    expect(sameHash(a, hashApiKey('a'))).toBe(true);
    expect(sameHash(a, hashApiKey('b'))).toBe(false);
    expect(sameHash(a, a.subarray(0, 31))).toBe(false);
  });

  it('finds an id only in keys of the server’s own format', () => {
    const id = '0123456789abcdef';
    expect(apiKeyId(`ragd_${id}_${'a'.repeat(64)}`)).toBe(id);
    expect(apiKeyId(`ragd_${id}_${'a'.repeat(63)}`)).toBeUndefined();
    expect(apiKeyId(`ragd_${id}_${'A'.repeat(64)}`)).toBeUndefined();
    expect(apiKeyId(`xragd_${id}_${'a'.repeat(64)}`)).toBeUndefined();
    expect(apiKeyId('an environment key chosen by the operator')).toBeUndefined();
  });

  it('reads the token of a Bearer header, any case of the scheme, and nothing else', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer   abc ')).toBe('abc');
    expect(bearerToken(undefined)).toBeUndefined();
    expect(bearerToken('Basic YWJjOmRlZg==')).toBeUndefined();
    expect(bearerToken('Bearer')).toBeUndefined();
    expect(bearerToken('Bearer a b')).toBeUndefined();
  });
});

import { allows, isAdmin, isScope, patternMatches } from './scopes';

describe('scopes', () => {
  it('accepts admin, read and write with a name or a prefix ending in *', () => {
    for (const s of ['admin', 'read:handbook', 'write:team-*', 'read:*', 'write:a_b-c', 'read:-*'])
      expect(isScope(s)).toBe(true);
    for (const s of [
      '',
      'Admin',
      'read',
      'read:',
      'delete:x',
      'read:hand book',
      'read:a*b',
      'read:**',
      'read:-x',
      `read:${'a'.repeat(65)}`,
      'admin:x',
    ])
      expect(isScope(s)).toBe(false);
  });

  it('matches a name exactly, or by prefix with *', () => {
    expect(patternMatches('handbook', 'handbook')).toBe(true);
    expect(patternMatches('handbook', 'handbook2')).toBe(false);
    expect(patternMatches('handbook', 'Handbook')).toBe(false);
    expect(patternMatches('team-*', 'team-a')).toBe(true);
    expect(patternMatches('team-*', 'team-')).toBe(true);
    expect(patternMatches('team-*', 'teams')).toBe(false);
    expect(patternMatches('*', 'anything')).toBe(true);
  });

  it('lets write imply read, never read imply write', () => {
    const sut = ['read:handbook', 'write:team-*'];
    expect(allows(sut, 'read', 'handbook')).toBe(true);
    expect(allows(sut, 'write', 'handbook')).toBe(false);
    expect(allows(sut, 'read', 'team-x')).toBe(true);
    expect(allows(sut, 'write', 'team-x')).toBe(true);
    expect(allows(sut, 'read', 'other')).toBe(false);
    expect(allows([], 'read', 'handbook')).toBe(false);
  });

  it('lets admin do everything', () => {
    expect(allows(['admin'], 'write', 'x')).toBe(true);
    expect(isAdmin(['read:*', 'admin'])).toBe(true);
    expect(isAdmin(['read:*', 'write:*'])).toBe(false);
  });
});

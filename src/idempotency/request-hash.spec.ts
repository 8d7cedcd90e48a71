import { canonicalJson, requestHash, requestScope } from './request-hash';

const upload = (
  bytes: string,
  overrides: Partial<{ fieldname: string; originalname: string; mimetype: string }> = {},
) => ({
  fieldname: 'file',
  originalname: 'notes.md',
  mimetype: 'text/markdown',
  buffer: Buffer.from(bytes),
  ...overrides,
});

describe('requestHash', () => {
  const json = {
    params: { name: 'handbook' },
    query: {},
    body: { documents: [{ id: 'a', text: 'x', metadata: { k: 1, j: [1, 2] } }], wait: true },
  };

  it('is the same for a retry, whatever the order of object keys', () => {
    const sut = requestHash(json);
    const reordered = {
      query: {},
      body: { wait: true, documents: [{ metadata: { j: [1, 2], k: 1 }, text: 'x', id: 'a' }] },
      params: { name: 'handbook' },
    };
    expect(requestHash(reordered)).toBe(sut);
    expect(sut).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    [
      'a changed text',
      {
        ...json,
        body: { ...json.body, documents: [{ id: 'a', text: 'y', metadata: { k: 1, j: [1, 2] } }] },
      },
    ],
    [
      'array order',
      {
        ...json,
        body: { ...json.body, documents: [{ id: 'a', text: 'x', metadata: { k: 1, j: [2, 1] } }] },
      },
    ],
    ['another flag', { ...json, body: { ...json.body, wait: false } }],
    ['a missing field', { ...json, body: { documents: json.body.documents } }],
    ['another collection', { ...json, params: { name: 'other' } }],
    ['a query string', { ...json, query: { wait: 'false' } }],
    [
      'a number as a string',
      {
        ...json,
        body: {
          ...json.body,
          documents: [{ id: 'a', text: 'x', metadata: { k: '1', j: [1, 2] } }],
        },
      },
    ],
  ])('differs for %s', (_what, other) => {
    expect(requestHash(other)).not.toBe(requestHash(json));
  });

  it('tells no body from an empty one', () => {
    expect(requestHash({ params: {}, query: {}, body: undefined })).not.toBe(
      requestHash({ params: {}, query: {}, body: {} }),
    );
  });

  describe('multipart uploads', () => {
    const base = {
      params: { name: 'handbook' },
      query: {},
      body: { id: 'notes', title: 'Notes' },
      file: upload('# Notes\n\nHello.'),
    };

    it('is the same for the same bytes and fields in another field order', () => {
      const sut = requestHash(base);
      expect(
        requestHash({
          ...base,
          body: { title: 'Notes', id: 'notes' },
          file: upload('# Notes\n\nHello.'),
        }),
      ).toBe(sut);
    });

    it.each([
      ['other bytes', { ...base, file: upload('# Notes\n\nHello!') }],
      [
        'another file name',
        { ...base, file: upload('# Notes\n\nHello.', { originalname: 'notes.txt' }) },
      ],
      ['another type', { ...base, file: upload('# Notes\n\nHello.', { mimetype: 'text/plain' }) }],
      ['another field', { ...base, body: { id: 'notes', title: 'Other' } }],
      ['an extra field', { ...base, body: { ...base.body, wait: 'false' } }],
      ['no file', { ...base, file: undefined }],
    ])('differs for %s', (_what, other) => {
      expect(requestHash(other)).not.toBe(requestHash(base));
    });

    it('does not mistake a JSON body describing a file for the upload', () => {
      const sut = requestHash(base);
      expect(
        requestHash({ params: base.params, query: {}, body: { ...base.body, file: base.file } }),
      ).not.toBe(sut);
    });
  });
});

describe('requestScope', () => {
  it('names the method, the route and its parameters in a stable order', () => {
    const sut = requestScope('POST', '/v1/a/:x/b/:y', { y: '2', x: '1' });
    expect(sut).toBe('POST /v1/a/:x/b/:y {"x":"1","y":"2"}');
    expect(requestScope('POST', '/v1/a/:x/b/:y', { x: '1', y: '3' })).not.toBe(sut);
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth and keeps arrays in order', () => {
    expect(canonicalJson({ b: { d: 1, c: [{ f: 1, e: 2 }] }, a: null })).toBe(
      '{"a":null,"b":{"c":[{"e":2,"f":1}],"d":1}}',
    );
  });

  it('sorts objects without a prototype, as multipart fields come', () => {
    const fields = Object.assign(Object.create(null) as Record<string, string>, { z: '1', a: '2' });
    expect(canonicalJson(fields)).toBe('{"a":"2","z":"1"}');
  });
});

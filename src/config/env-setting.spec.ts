import { z } from 'zod';
import { area, declaredOnce, env, nestValues } from './env-setting';

describe('env settings', () => {
  const tree = {
    ...area('Server', { port: env('PORT', z.number(), 'port') }),
    ...area('Embedding', {
      embedding: { model: env('EMBEDDING_MODEL', z.string(), 'model') },
    }),
  };

  it('lists every variable with the path of its value and its area, in declaration order', () => {
    const sut = declaredOnce(tree).map((d) => [
      d.setting.variable,
      d.path.join('.'),
      d.setting.area,
    ]);
    expect(sut).toEqual([
      ['PORT', 'port', 'Server'],
      ['EMBEDDING_MODEL', 'embedding.model', 'Embedding'],
    ]);
  });

  it('places each value, keyed by variable, at its path', () => {
    const sut = nestValues(tree, { PORT: 8080, EMBEDDING_MODEL: 'm', OTHER: 1 });
    expect(sut).toEqual({ port: 8080, embedding: { model: 'm' } });
  });

  it('refuses a variable declared twice', () => {
    const twice = { a: env('PORT', z.number(), 'a'), b: { c: env('PORT', z.number(), 'c') } };
    expect(() => declaredOnce(twice)).toThrow('Settings declared more than once: PORT');
  });
});

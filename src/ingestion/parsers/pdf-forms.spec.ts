import { FieldWidget, linesOfFields } from './pdf-forms';

const widget = (w: Partial<FieldWidget> & { name: string; type: string }): FieldWidget => ({
  page: 0,
  rect: [100, 500, 300, 520],
  ...w,
});

describe('linesOfFields', () => {
  it('gives "Name: value" lines per page, top to bottom then left to right, only for filled fields', () => {
    const sut = linesOfFields([
      widget({
        name: 'form1[0].date[0]',
        type: 'text',
        value: '2024-05-01',
        rect: [300, 700, 400, 720],
      }),
      widget({
        name: 'claimant',
        type: 'text',
        value: 'Ada  Lovelace',
        rect: [100, 700, 250, 720],
      }),
      widget({ name: 'phone', type: 'text', value: '', rect: [100, 650, 250, 670] }),
      widget({ name: 'story', type: 'text', value: 'Line one\nline two', page: 1 }),
      widget({ name: 'injured', type: 'checkbox', value: 'Yes', exportValues: 'Yes' }),
      widget({ name: 'towed', type: 'checkbox', value: 'Off', exportValues: 'Yes' }),
      widget({ name: 'weather', type: 'radiobutton', value: 'rain', exportValues: 'sun' }),
      widget({ name: 'weather', type: 'radiobutton', value: 'rain', exportValues: 'rain' }),
      widget({ name: 'state', type: 'combobox', value: ['CA', 'NV'], rect: [100, 100, 200, 120] }),
      widget({ name: 'sign', type: 'signature', value: 'x' }),
      widget({ name: 'parent', type: '', page: -1 }),
      widget({ name: 'secret', type: 'text', value: 'hidden', hidden: true }),
    ]);
    expect([...sut]).toEqual([
      [
        1,
        [
          'claimant: Ada Lovelace',
          'form1.date: 2024-05-01',
          'injured: Yes',
          'weather: rain',
          'state: CA, NV',
        ],
      ],
      [2, ['story: Line one line two']],
    ]);
  });

  it('says nothing for a blank form', () => {
    const sut = linesOfFields([
      widget({ name: 'a', type: 'text', value: '' }),
      widget({ name: 'b', type: 'checkbox', value: 'Off', exportValues: 'Yes' }),
    ]);
    expect(sut.size).toBe(0);
  });
});

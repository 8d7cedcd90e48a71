import { runsInPassage, words } from './passage-match';

describe('runsInPassage: which text runs of a PDF page are the cited passage', () => {
  const page = [
    '2 Night trains',
    'The night train to Vienna leaves the central',
    'station at ten in the evening.',
    'Sleeping cars must be booked three days ahead.',
    '7',
  ];

  it('marks the runs whose words are in the passage, and no other', () => {
    const sut = runsInPassage(
      page,
      '2 Night trains\nThe night train to Vienna leaves the central station at ten in the evening.',
    );
    expect(sut).toEqual([true, true, true, false, false]);
  });

  it('marks a run that a chunk boundary cuts, by the words it shares with the passage edge', () => {
    const sut = runsInPassage(page, 'station at ten in the evening. Sleeping cars must');
    expect(sut).toEqual([false, false, true, true, false]);
  });

  it('joins a word hyphenated at a line end, as the server did', () => {
    const sut = runsInPassage(
      ['Economy class is allowed for eco-', 'nomy fares only.', 'Unrelated line here.'],
      'Economy class is allowed for economy fares only.',
    );
    expect(sut).toEqual([true, true, false]);
  });

  it('ignores case, accents written differently and punctuation, but not other words', () => {
    expect(runsInPassage(['CAFÉ opens at nine!'], 'the café opens at nine')).toEqual([true]);
    expect(runsInPassage(['The bar opens at nine'], 'the café opens at nine')).toEqual([false]);
  });

  it('marks a short run only between two marked ones', () => {
    const sut = runsInPassage(
      ['The first line of it', '12', 'the second line of it', '12'],
      'The first line of it 12 the second line of it',
    );
    expect(sut).toEqual([true, true, true, false]);
  });

  it('splits words on anything but letters and digits, in any script', () => {
    expect(words('Zürich–Wien, 22:10 Uhr; 東京')).toEqual([
      'zürich',
      'wien',
      '22',
      '10',
      'uhr',
      '東京',
    ]);
  });
});

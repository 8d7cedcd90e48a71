import { acceptableRewrite, heuristicStandalone, isFollowUp } from './standalone-query';

describe('standalone queries for follow-up questions', () => {
  it('tells follow-ups from questions that stand alone', () => {
    expect(isFollowUp('And what does it cross?')).toBe(true);
    expect(isFollowUp('When?')).toBe(true);
    expect(isFollowUp('When does the night train leave the city station?')).toBe(false);
  });

  it('adds the words of the previous query a follow-up lacks', () => {
    expect(heuristicStandalone('And what does it cross?', 'When does the night train leave?')).toBe(
      'And what does it cross? night train leave',
    );
    expect(
      heuristicStandalone(
        'Where do taxis stop in the old town?',
        'When does the night train leave?',
      ),
    ).toBe('Where do taxis stop in the old town?');
    expect(heuristicStandalone('And what does it cross?', undefined)).toBe(
      'And what does it cross?',
    );
  });

  it("accepts a model's rewrite only if it stays on the conversation's words", () => {
    const history = ['When does the night train leave?', 'It leaves at eight [1].'];
    expect(
      acceptableRewrite('What does the night train cross?', 'And what does it cross?', history),
    ).toBe(true);
    expect(acceptableRewrite('Cited [1].', 'And what does it cross?', history)).toBe(false);
    expect(
      acceptableRewrite(
        'What is the capital of Peru and its population?',
        'And what does it cross?',
        history,
      ),
    ).toBe(false);
    expect(acceptableRewrite('   ', 'And what does it cross?', history)).toBe(false);
  });
});

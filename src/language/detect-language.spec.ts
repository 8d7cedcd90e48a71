import { detectLanguage, queryLanguages } from './detect-language';

describe('detectLanguage', () => {
  it.each([
    ['The aircraft wing was tested at supersonic speeds in the tunnel.', 'en'],
    ['Die Flügel wurden im Windkanal bei hohen Geschwindigkeiten getestet.', 'de'],
    ['Крыло самолёта испытывали в аэродинамической трубе.', 'ru'],
    ['تم اختبار جناح الطائرة في نفق الرياح.', 'ar'],
    ['विमान के पंख का परीक्षण पवन सुरंग में किया गया।', 'hi'],
    ['飞机机翼在风洞中进行了测试。', 'zh'],
    ['飛行機の翼は風洞で試験された。', 'ja'],
    ['ปีกเครื่องบินถูกทดสอบในอุโมงค์ลม', 'th'],
    ['12345 !!!', 'und'],
  ])('%s -> %s', (text, code) => {
    expect(detectLanguage(text)).toBe(code);
  });
});

describe('queryLanguages', () => {
  it('takes the only language the collection has in the query script, however short', () => {
    expect(queryLanguages('capital', ['en', 'ru'])).toEqual(['en']);
  });

  it("puts the detector's choice among the collection's languages first, then the others of the script", () => {
    expect(queryLanguages('Wie heißt die Hauptstadt von Deutschland?', ['en', 'de'])).toEqual([
      'de',
      'en',
    ]);
    expect(queryLanguages('Where is the capital?', ['de', 'en', 'zh'])).toEqual(['en', 'de']);
  });

  it('detects the language of a query in a script the collection lacks', () => {
    expect(queryLanguages('столица России', ['en'])).toEqual(['ru']);
  });

  it('takes Chinese or Japanese, by kana, for Han queries', () => {
    expect(queryLanguages('首都', [])).toEqual(['zh']);
    expect(queryLanguages('首都は', [])).toEqual(['ja']);
    expect(queryLanguages('首都', ['ja', 'en'])).toEqual(['ja']);
  });
});

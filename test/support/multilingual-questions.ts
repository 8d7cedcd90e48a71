/**
 * Questions about twelve articles of the Universal Declaration of Human Rights (see udhr-corpus.ts),
 * written for these tests in each language as a reader would ask them: they share content words with
 * the article that answers them, in other forms (inflections, another word order), not copied spans.
 * `article` is the number of the answering article.
 */
export interface MultilingualQuestion {
  article: number;
  question: string;
}

const ARTICLES = [26, 4, 5, 13, 16, 17, 18, 23, 24, 14, 9, 21] as const;

const QUESTIONS: Readonly<Record<string, readonly string[]>> = {
  en: [
    'Is elementary education free and compulsory for everyone?',
    'Is the slave trade prohibited in all its forms?',
    'May a person be subjected to torture or degrading punishment?',
    'Can I leave my own country and come back to it?',
    'From what age may men and women marry and found a family?',
    'May someone be arbitrarily deprived of the property he owns?',
    'Am I free to change my religion or belief?',
    'Do workers have a right to equal pay for equal work and to join trade unions?',
    'Is there a right to rest, leisure and paid holidays?',
    'Can people seek asylum in other countries from persecution?',
    'Can anyone be arbitrarily arrested or exiled?',
    'Is the will of the people expressed in periodic and genuine elections?',
  ],
  de: [
    'Ist der Grundschulunterricht unentgeltlich und obligatorisch?',
    'Ist der Sklavenhandel in allen Formen verboten?',
    'Darf jemand gefoltert oder grausam bestraft werden?',
    'Darf man jedes Land, auch sein eigenes, verlassen und zurückkehren?',
    'Dürfen Männer und Frauen heiraten und eine Familie gründen?',
    'Darf jemandem sein Eigentum willkürlich entzogen werden?',
    'Hat jeder die Freiheit, seine Religion oder Überzeugung zu wechseln?',
    'Gibt es ein Recht auf gleichen Lohn für gleiche Arbeit?',
    'Gibt es ein Recht auf Erholung, Freizeit und bezahlten Urlaub?',
    'Darf man in anderen Ländern vor Verfolgung Asyl suchen?',
    'Darf jemand willkürlich festgenommen oder ausgewiesen werden?',
    'Ist der Wille des Volkes die Grundlage der Regierungsgewalt?',
  ],
  ru: [
    'Должно ли начальное образование быть бесплатным и обязательным?',
    'Запрещены ли рабство и работорговля?',
    'Можно ли подвергать человека пыткам или унижающему наказанию?',
    'Может ли человек покинуть свою страну и вернуться в неё?',
    'С какого возраста мужчины и женщины могут вступать в брак и создавать семью?',
    'Можно ли произвольно лишить человека его имущества?',
    'Свободен ли человек менять свою религию или убеждения?',
    'Есть ли у работников право на равную оплату за равный труд и на профсоюзы?',
    'Существует ли право на отдых, досуг и оплачиваемый отпуск?',
    'Можно ли искать убежища от преследования в других странах?',
    'Можно ли произвольно арестовать или изгнать человека?',
    'Выражается ли воля народа на периодических выборах?',
  ],
  ar: [
    'هل التعليم الأولي إلزامي ومجاني؟',
    'هل تجارة الرقيق محظورة؟',
    'هل يجوز تعريض الإنسان للتعذيب أو لعقوبات قاسية؟',
    'هل يحق للفرد مغادرة بلده والعودة إليه؟',
    'متى يحق للرجل والمرأة الزواج وتأسيس أسرة؟',
    'هل يجوز تجريد شخص من ملكه تعسفا؟',
    'هل لكل شخص حرية تغيير دينه أو عقيدته؟',
    'هل للعامل الحق في أجر متساو عن العمل وفي الحماية من البطالة؟',
    'هل للإنسان الحق في الراحة والعطلات الدورية بأجر؟',
    'هل يحق للفرد أن يلجأ إلى بلاد أخرى هربا من الاضطهاد؟',
    'هل يجوز القبض على إنسان أو نفيه تعسفا؟',
    'هل إرادة الشعب مصدر سلطة الحكومة؟',
  ],
  hi: [
    'क्या प्रारम्भिक शिक्षा निःशुल्क और अनिवार्य है?',
    'क्या ग़ुलामों का व्यापार निषिद्ध है?',
    'क्या किसी को शारीरिक यातना दी जा सकती है?',
    'क्या कोई व्यक्ति अपना देश छोड़कर वापस आ सकता है?',
    'क्या स्त्री-पुरुषों को विवाह करने और परिवार स्थापित करने का अधिकार है?',
    'क्या किसी को उसकी सम्मति से वंचित किया जा सकता है?',
    'क्या हर व्यक्ति अपना धर्म या विश्वास बदल सकता है?',
    'क्या समान कार्य के लिए समान मज़दूरी का अधिकार है?',
    'क्या विश्राम और छुट्टियों का अधिकार है?',
    'क्या सताये गए लोग दूसरे देशों में शरण ले सकते हैं?',
    'क्या किसी को गिरफ़्तार या नज़रबन्द किया जा सकता है?',
    'क्या लोगों को अपने देश के शासन में हिस्सा लेने का अधिकार है?',
  ],
  zh: [
    '初级教育是免费的和义务的吗？',
    '奴隶买卖是否被禁止？',
    '可以对人施以酷刑或残忍的刑罚吗？',
    '一个人有权离开自己的国家并返回吗？',
    '成年男女有权结婚和成立家庭吗？',
    '一个人的财产可以被任意剥夺吗？',
    '人们有改变宗教或信仰的自由吗？',
    '是否有同工同酬和参加工会的权利？',
    '人人享有休息和定期休假的权利吗？',
    '可以在其他国家寻求庇护以避免迫害吗？',
    '能否任意逮捕或放逐一个人？',
    '政府权力的基础是人民的意志吗？',
  ],
  ja: [
    '初等教育は無償で義務的ですか？',
    '奴隷売買は禁止されていますか？',
    '拷問や残虐な刑罰を受けることはありますか？',
    '自国を立ち去り、自国に帰る権利はありますか？',
    '成年の男女は婚姻して家庭をつくることができますか？',
    '自分の財産を奪われることはありますか？',
    '宗教や信念を変更する自由はありますか？',
    '同等の労働に対して同等の報酬を受ける権利はありますか？',
    '有給休暇や休息の権利はありますか？',
    '迫害からの避難を他国に求めることはできますか？',
    'ほしいままに逮捕や追放をされることはありますか？',
    '統治の権力の基礎は人民の意思ですか？',
  ],
  th: [
    'การประถมศึกษาต้องให้เปล่าและเป็นการบังคับหรือไม่',
    'การค้าทาสเป็นสิ่งต้องห้ามหรือไม่',
    'บุคคลจะถูกทรมานหรือลงโทษอย่างโหดร้ายได้หรือไม่',
    'ทุกคนมีสิทธิออกจากประเทศของตนและกลับประเทศได้หรือไม่',
    'ชายและหญิงมีสิทธิสมรสและก่อตั้งครอบครัวหรือไม่',
    'ทรัพย์สินของบุคคลจะถูกริบโดยพลการได้หรือไม่',
    'มีอิสรภาพในการเปลี่ยนศาสนาหรือความเชื่อถือหรือไม่',
    'ทุกคนได้รับเงินค่าจ้างเท่าเทียมกันสำหรับงานเท่าเทียมกันหรือไม่',
    'ทุกคนมีสิทธิพักผ่อนและมีวันหยุดงานหรือไม่',
    'ลี้ภัยจากการประหัตประหารในประเทศอื่นได้หรือไม่',
    'บุคคลจะถูกจับกุมหรือเนรเทศโดยพลการได้หรือไม่',
    'เจตจำนงของประชาชนเป็นมูลฐานแห่งอำนาจของรัฐบาลหรือไม่',
  ],
};

export const QUESTION_LANGUAGES: readonly string[] = Object.keys(QUESTIONS);

export function questionsOf(language: string): MultilingualQuestion[] {
  const qs = QUESTIONS[language];
  if (!qs) throw new Error(`no questions in ${language}`);
  return qs.map((question, i) => ({ article: ARTICLES[i]!, question }));
}

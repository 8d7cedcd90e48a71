/**
 * Writers for the tokenizer files of the tiny test models, in the Hugging Face `tokenizers` JSON
 * format that transformers.js reads:
 *
 * - a BERT WordPiece tokenizer (lowercasing BertNormalizer, BertPreTokenizer, [CLS]/[SEP] template)
 *   whose vocabulary is a few thousand common English words written below, every ASCII character
 *   and its `##` continuation, and common suffixes, so any English text tokenizes into real pieces;
 * - a GPT-2 style byte-level BPE tokenizer (256 byte tokens plus merges learned, at generation time
 *   and deterministically, from the same word list) with the ChatML special tokens and template.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

interface AddedToken {
  readonly id: number;
  readonly content: string;
}

function addedTokenJson(t: AddedToken): Json {
  return {
    id: t.id,
    content: t.content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  };
}

// ---------------------------------------------------------------------------------------------
// BERT WordPiece
// ---------------------------------------------------------------------------------------------

export const BERT_SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

/** Continuation pieces that let unknown inflected forms split into a known stem plus a suffix. */
const WORDPIECE_SUFFIXES = `s es ed d ing er ers est ly tion tions sion ment ments ness ity ies ied al ally ive
ize ized izes ization ation ations able ible ful less ism ist ists ous ic ical ial ian ence ance ent ant
ship hood ward wards y ry ery en ened`;

export interface WordPieceVocab {
  /** Token strings by id. */
  readonly tokens: readonly string[];
  readonly ids: ReadonlyMap<string, number>;
}

/** An ordered vocabulary: each new token gets the next id; repeats are ignored. */
function vocabBuilder(): { tokens: string[]; ids: Map<string, number>; push: (t: string) => void } {
  const tokens: string[] = [];
  const ids = new Map<string, number>();
  const push = (t: string): void => {
    if (ids.has(t)) return;
    ids.set(t, tokens.length);
    tokens.push(t);
  };
  return { tokens, ids, push };
}

/** The vocabulary of the tiny BERT tokenizer: specials, ASCII, `##`ASCII, suffixes, words. */
export function buildWordPieceVocab(): WordPieceVocab {
  const { tokens, ids, push } = vocabBuilder();
  BERT_SPECIAL_TOKENS.forEach(push);
  for (let c = 33; c < 127; c++) push(String.fromCharCode(c));
  for (let c = 33; c < 127; c++) push(`##${String.fromCharCode(c)}`);
  for (const s of WORDPIECE_SUFFIXES.split(/\s+/)) if (s.length > 0) push(`##${s}`);
  for (const w of englishWords()) push(w);
  return { tokens, ids };
}

function bertSpecialId(vocab: WordPieceVocab, token: (typeof BERT_SPECIAL_TOKENS)[number]): number {
  const id = vocab.ids.get(token);
  if (id === undefined) throw new Error(`missing ${token}`);
  return id;
}

export function bertTokenizerJson(vocab: WordPieceVocab): Json {
  const cls = bertSpecialId(vocab, '[CLS]');
  const sep = bertSpecialId(vocab, '[SEP]');
  const special = (id: string, typeId: number): Json => ({ SpecialToken: { id, type_id: typeId } });
  const sequence = (id: string, typeId: number): Json => ({ Sequence: { id, type_id: typeId } });
  const vocabJson: { [key: string]: Json } = {};
  vocab.tokens.forEach((t, i) => (vocabJson[t] = i));
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: BERT_SPECIAL_TOKENS.map((content) =>
      addedTokenJson({ id: bertSpecialId(vocab, content), content }),
    ),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [special('[CLS]', 0), sequence('A', 0), special('[SEP]', 0)],
      pair: [
        special('[CLS]', 0),
        sequence('A', 0),
        special('[SEP]', 0),
        sequence('B', 1),
        special('[SEP]', 1),
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [cls], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [sep], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: vocabJson,
    },
  };
}

/** The added_tokens_decoder entry of tokenizer_config.json for special tokens. */
function addedTokens<T extends string>(
  tokens: readonly T[],
  idOf: (token: T) => number,
): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  for (const content of tokens) {
    out[String(idOf(content))] = {
      content,
      lstrip: false,
      normalized: false,
      rstrip: false,
      single_word: false,
      special: true,
    };
  }
  return out;
}

/** Writes tokenizer.json, tokenizer_config.json and special_tokens_map.json of the BERT tokenizer. */
export function writeBertTokenizer(
  dir: string,
  vocab: WordPieceVocab,
  modelMaxLength: number,
): void {
  mkdirSync(dir, { recursive: true });
  writeJson(join(dir, 'tokenizer.json'), bertTokenizerJson(vocab));
  const addedTokensDecoder = addedTokens(BERT_SPECIAL_TOKENS, (t) => bertSpecialId(vocab, t));
  writeJson(join(dir, 'tokenizer_config.json'), {
    added_tokens_decoder: addedTokensDecoder,
    clean_up_tokenization_spaces: true,
    cls_token: '[CLS]',
    do_basic_tokenize: true,
    do_lower_case: true,
    mask_token: '[MASK]',
    model_max_length: modelMaxLength,
    never_split: null,
    pad_token: '[PAD]',
    sep_token: '[SEP]',
    strip_accents: null,
    tokenize_chinese_chars: true,
    tokenizer_class: 'BertTokenizer',
    unk_token: '[UNK]',
  });
  writeJson(join(dir, 'special_tokens_map.json'), {
    cls_token: '[CLS]',
    mask_token: '[MASK]',
    pad_token: '[PAD]',
    sep_token: '[SEP]',
    unk_token: '[UNK]',
  });
}

// ---------------------------------------------------------------------------------------------
// Byte-level BPE (GPT-2 style) with ChatML
// ---------------------------------------------------------------------------------------------

export const ENDOFTEXT = '<|endoftext|>';
export const IM_START = '<|im_start|>';
export const IM_END = '<|im_end|>';
/** Special tokens take ids 0, 1, 2, as in SmolLM. */
export const CHAT_SPECIAL_TOKENS = [ENDOFTEXT, IM_START, IM_END] as const;

export const CHATML_TEMPLATE =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

function isPrintableByte(b: number): boolean {
  return (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
}

/**
 * GPT-2's reversible byte -> printable unicode character mapping (so " " is "Ġ", "\n" is "Ċ"),
 * as the 256 byte tokens in GPT-2 vocabulary order (printable bytes first).
 */
export function bytesToUnicode(): string[] {
  const order: number[] = [];
  for (let b = 0; b < 256; b++) if (isPrintableByte(b)) order.push(b);
  for (let b = 0; b < 256; b++) if (!isPrintableByte(b)) order.push(b);
  return order.map(byteToken);
}

/** The byte-level token of one byte, e.g. `byteToken(0x20) === 'Ġ'`. */
export function byteToken(byte: number): string {
  const table = byteTable();
  const t = table[byte];
  if (t === undefined) throw new Error(`byte out of range: ${byte}`);
  return t;
}

let byteTableCache: string[] | undefined;
function byteTable(): string[] {
  if (byteTableCache === undefined) {
    const table: string[] = new Array<string>(256);
    for (let b = 0; b < 256; b++) {
      if (isPrintableByte(b)) table[b] = String.fromCharCode(b);
    }
    let n = 0;
    for (let b = 0; b < 256; b++)
      if (table[b] === undefined) table[b] = String.fromCharCode(256 + n++);
    byteTableCache = table;
  }
  return byteTableCache;
}

export interface BpeVocab {
  readonly tokens: readonly string[];
  readonly ids: ReadonlyMap<string, number>;
  /** Merges as `[left, right]` in rank order. */
  readonly merges: readonly (readonly [string, string])[];
}

/**
 * Learns `mergeCount` BPE merges from the word list (each word seen with and without a leading
 * space, as GPT-2 pre-tokenization produces them), deterministically: the most frequent pair wins,
 * ties broken by the pair's text.
 */
export function learnMerges(words: readonly string[], mergeCount: number): [string, string][] {
  const corpus: { symbols: string[]; weight: number }[] = [];
  const space = byteToken(0x20);
  for (const w of words) {
    const chars = [...Buffer.from(w, 'utf8')].map(byteToken);
    corpus.push({ symbols: [space, ...chars], weight: 3 });
    corpus.push({ symbols: chars, weight: 1 });
  }
  const counts = new Map<string, number>();
  const pairCounts = (symbols: readonly string[], weight: number, sign: 1 | -1): void => {
    for (let i = 0; i + 1 < symbols.length; i++) {
      const key = `${symbols[i]} ${symbols[i + 1]}`;
      counts.set(key, (counts.get(key) ?? 0) + sign * weight);
    }
  };
  for (const { symbols, weight } of corpus) pairCounts(symbols, weight, 1);
  const merges: [string, string][] = [];
  for (let m = 0; m < mergeCount; m++) {
    let best: string | undefined;
    let bestCount = 1;
    for (const [key, count] of counts) {
      if (count > bestCount || (count === bestCount && best !== undefined && key < best)) {
        best = key;
        bestCount = count;
      }
    }
    if (best === undefined) break;
    const [left, right] = best.split(' ') as [string, string];
    merges.push([left, right]);
    const merged = left + right;
    for (const entry of corpus) {
      const s = entry.symbols;
      let hit = false;
      for (let i = 0; i + 1 < s.length && !hit; i++) hit = s[i] === left && s[i + 1] === right;
      if (!hit) continue;
      pairCounts(s, entry.weight, -1);
      const out: string[] = [];
      for (let i = 0; i < s.length; i++) {
        if (i + 1 < s.length && s[i] === left && s[i + 1] === right) {
          out.push(merged);
          i++;
        } else {
          out.push(s[i] ?? '');
        }
      }
      entry.symbols = out;
      pairCounts(out, entry.weight, 1);
    }
    counts.delete(best);
  }
  return merges;
}

/** Specials (0..2), the 256 byte tokens, then one token per merge. */
export function buildBpeVocab(mergeCount = 400): BpeVocab {
  const { tokens, ids, push } = vocabBuilder();
  CHAT_SPECIAL_TOKENS.forEach(push);
  bytesToUnicode().forEach(push);
  const merges = learnMerges(englishWords(), mergeCount);
  for (const [l, r] of merges) push(l + r);
  return { tokens, ids, merges };
}

export function bpeTokenizerJson(vocab: BpeVocab): Json {
  const vocabJson: { [key: string]: Json } = {};
  vocab.tokens.forEach((t, i) => (vocabJson[t] = i));
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: CHAT_SPECIAL_TOKENS.map((content) =>
      addedTokenJson({ id: bpeId(vocab, content), content }),
    ),
    normalizer: null,
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Digits', individual_digits: true },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
      ],
    },
    post_processor: null,
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: vocabJson,
      merges: vocab.merges.map(([l, r]) => [l, r]),
    },
  };
}

export function bpeId(vocab: BpeVocab, token: string): number {
  const id = vocab.ids.get(token);
  if (id === undefined) throw new Error(`token not in vocabulary: ${JSON.stringify(token)}`);
  return id;
}

/** Writes tokenizer.json, tokenizer_config.json (with the ChatML template) and special_tokens_map.json. */
export function writeChatTokenizer(dir: string, vocab: BpeVocab, modelMaxLength: number): void {
  mkdirSync(dir, { recursive: true });
  writeJson(join(dir, 'tokenizer.json'), bpeTokenizerJson(vocab));
  const addedTokensDecoder = addedTokens(CHAT_SPECIAL_TOKENS, (t) => bpeId(vocab, t));
  writeJson(join(dir, 'tokenizer_config.json'), {
    add_prefix_space: false,
    added_tokens_decoder: addedTokensDecoder,
    additional_special_tokens: [IM_START, IM_END],
    bos_token: IM_START,
    chat_template: CHATML_TEMPLATE,
    clean_up_tokenization_spaces: false,
    eos_token: IM_END,
    model_max_length: modelMaxLength,
    pad_token: IM_END,
    tokenizer_class: 'GPT2Tokenizer',
    unk_token: ENDOFTEXT,
    vocab_size: vocab.tokens.length,
  });
  writeJson(join(dir, 'special_tokens_map.json'), {
    additional_special_tokens: [IM_START, IM_END],
    bos_token: IM_START,
    eos_token: IM_END,
    pad_token: IM_END,
    unk_token: ENDOFTEXT,
  });
}

// ---------------------------------------------------------------------------------------------
// Word list
// ---------------------------------------------------------------------------------------------

let englishWordsCache: string[] | undefined;

/** Lowercase English words (content words first, then stopwords), deduplicated, in a stable order. */
export function englishWords(): readonly string[] {
  if (englishWordsCache === undefined) {
    const seen = new Set<string>();
    const out: string[] = [];
    for (const block of [CONTENT_WORDS, VERBS, NOUNS, MORE, ADJ_ADV, STOPWORDS.join(' ')]) {
      for (const w of block.split(/\s+/)) {
        if (w.length === 0 || seen.has(w)) continue;
        seen.add(w);
        out.push(w);
      }
    }
    englishWordsCache = out;
  }
  return englishWordsCache;
}

/**
 * The words below were written for these tests: everyday English plus some science, computing and
 * aeronautics terms (the retrieval fixtures include such text).
 */

/** Function words; the tiny embedder gives them little weight so they do not dominate retrieval. */
export const STOPWORDS: readonly string[] = `
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had has
have having he her here hers herself him himself his how i if in into is it its itself just me more
most my myself no nor not now of off on once only or other our ours ourselves out over own same she
should so some such than that the their theirs them themselves then there these they this those
through to too under until up very was we were what when where which while who whom why will with
would you your yours yourself yourselves may might must shall us let
`
  .split(/\s+/)
  .filter((w) => w.length > 0);

const CONTENT_WORDS = `
time year people way day man woman child children world life hand part place case week company system
program question work government number night point home water room mother father area money story fact
month lot right study book eye job word business issue side kind head house service friend power hour
game line end member law car city community name president team minute idea kid body information back
parent face others level office door health person art war history party result change morning reason
research girl boy guy moment air teacher force education foot feet teeth tooth age policy process music
market sense nation plan college interest death experience effect use class control care field
development role effort rate heart drug show leader light voice wife police mind price report decision
son daughter view relationship town road arm difference value building action model season society tax
director position player record paper space ground form event official matter center couple site
project activity star table need court oil situation cost industry figure street image phone data
picture practice piece land product doctor wall patient worker news test movie north south east west
love support technology step baby computer type attention film tree source organization hair window
evidence population truth television radio network internet software hardware language problem
solution answer letter list page chapter section paragraph sentence text document file folder
account article author title subject topic summary note memory knowledge science scientist theory
method analysis approach strategy structure system design feature function value variable parameter
equation formula calculation measure measurement unit metric speed velocity pressure temperature heat
energy mass weight volume density distance length width height depth size scale shape surface edge
corner angle circle square triangle rectangle line curve point dot center middle top bottom front
rear inside outside left right up down high low big small large little long short tall wide narrow
thick thin heavy light hard soft hot cold warm cool wet dry clean dirty new old young early late
fast slow quick easy difficult simple complex good bad better best worse worst great poor rich
strong weak full empty open closed free busy happy sad angry calm quiet loud dark bright clear
beautiful ugly pretty nice fine real true false correct wrong main major minor important serious
certain possible impossible likely similar different special general common rare normal strange
public private local national international global social political economic financial legal
medical physical mental natural human personal professional military religious cultural
environmental industrial commercial technical scientific academic modern ancient current recent
future past present final initial total whole entire single double basic primary secondary
available necessary useful helpful successful popular famous known unknown foreign domestic
american english french german spanish italian chinese japanese russian indian british european
african asian western eastern northern southern central federal state local regional urban rural
red orange yellow green blue purple pink brown black white gray grey gold silver colour color
one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty hundred
thousand million billion first second third fourth fifth last next half quarter double zero
monday tuesday wednesday thursday friday saturday sunday january february march april june july
august september october november december today tomorrow yesterday tonight weekend spring summer
autumn fall winter century decade hour minute second moment period era date calendar clock
`;

const VERBS = `
be have do say get make go know take see come think look want give use find tell ask work seem feel
try leave call keep provide hold turn follow begin bring like write run move live believe happen
include allow meet lead understand watch sit stand set learn change pay hear play spend grow open
walk win offer remember consider appear buy wait serve die send expect build stay fall cut reach
kill remain suggest raise pass sell require decide return explain hope develop carry break receive
agree support hit produce eat cover catch draw choose cause point listen realize place close involve
increase reduce compare describe report create add continue start stop finish end speak read drive
fly swim jump climb throw push pull lift drop fill pour mix cook bake boil fry wash clean dry paint
sing dance laugh cry smile shout whisper talk discuss argue answer reply question ask request
demand order command control manage organize plan prepare arrange design develop test check verify
measure count calculate compute estimate predict guess solve fix repair replace remove delete insert
update upgrade install configure deploy launch release publish print copy paste save load store
search find index retrieve query fetch download upload share send receive connect disconnect join
split merge sort filter group select choose pick prefer accept reject refuse deny approve confirm
cancel enable disable protect defend attack fight destroy damage hurt heal cure treat save rescue
help assist teach train practice study learn discover invent explore examine observe notice detect
identify recognize remember forget imagine dream sleep wake rest relax enjoy hate fear worry wonder
travel visit arrive depart enter exit escape hide seek follow chase lead guide show display present
represent express mean define explain illustrate demonstrate prove argue claim state mention note
cite quote refer link list name label mark sign write type record track monitor watch observe
was were been being had has did done said made went gone knew known took taken saw seen came thought
looked wanted gave given used found told asked worked seemed felt tried left called kept provided
held turned followed began begun brought liked wrote written ran moved lived believed happened
included allowed met led understood watched sat stood learned changed paid heard played spent grew
grown opened walked won offered remembered considered appeared bought waited served died sent
expected built stayed fell cut reached killed remained suggested raised passed sold required
decided returned explained hoped developed carried broke broken received agreed supported produced
ate eaten covered caught drew drawn chose chosen caused closed increased reduced compared described
reported created added continued started stopped finished ended spoke spoken read drove driven flew
flown designed tested checked computed solved fixed stored searched indexed retrieved shared
connected selected accepted rejected protected discovered invented explored observed identified
goes says gets makes knows takes sees comes thinks looks wants gives uses finds tells asks works
seems feels tries leaves calls keeps provides holds turns follows begins brings likes writes runs
moves lives believes happens includes allows meets leads understands watches sits stands sets learns
changes pays hears plays spends grows opens walks wins offers remembers considers appears buys waits
serves dies sends expects builds stays falls reaches remains suggests raises passes sells requires
decides returns explains hopes develops carries breaks receives agrees supports produces eats covers
catches draws chooses causes closes increases reduces compares describes reports creates adds
continues starts stops finishes ends speaks reads drives flies
going saying getting making knowing taking seeing coming thinking looking wanting giving using finding
telling asking working seeming feeling trying leaving calling keeping providing holding turning
following beginning bringing writing running moving living believing happening including allowing
meeting leading understanding watching sitting standing setting learning changing paying hearing
playing spending growing opening walking winning offering remembering considering appearing buying
waiting serving dying sending expecting building staying falling reaching remaining suggesting
raising passing selling requiring deciding returning explaining hoping developing carrying breaking
receiving agreeing supporting producing eating covering catching drawing choosing causing closing
increasing reducing comparing describing reporting creating adding continuing starting stopping
finishing ending speaking reading driving flying training testing searching indexing
`;

const NOUNS = `
animal dog cat horse cow pig sheep goat chicken duck bird fish whale dolphin shark lion tiger bear
wolf fox deer rabbit mouse rat snake frog insect bee ant butterfly spider elephant monkey giraffe
zebra camel kangaroo penguin owl eagle hawk parrot turtle crab octopus squirrel bat
plant flower rose tree forest wood leaf leaves root seed grass garden farm field crop wheat rice corn
bean potato tomato apple banana orange grape lemon strawberry cherry peach pear fruit vegetable
carrot onion garlic pepper salt sugar honey bread butter cheese milk cream egg meat beef pork
chicken soup salad sandwich pizza pasta cake cookie chocolate coffee tea juice wine beer water food
meal breakfast lunch dinner kitchen restaurant menu recipe dish plate bowl cup glass bottle knife
fork spoon table chair bed sofa desk shelf cabinet lamp mirror carpet curtain floor ceiling roof
wall door window stairs room bedroom bathroom garage basement yard fence gate house apartment home
building tower bridge tunnel road street highway avenue lane path track railway station airport
port harbor ship boat car truck bus train plane airplane aircraft helicopter rocket bicycle bike
motorcycle engine motor wheel tire brake fuel gas petrol diesel battery electricity power energy
sun moon star planet earth mars venus jupiter saturn mercury galaxy universe space sky cloud rain
snow wind storm thunder lightning weather climate season ocean sea lake river stream island beach
coast mountain hill valley desert volcano rock stone sand soil mud ice fire smoke steam dust
metal iron steel copper gold silver aluminum glass plastic paper wood cotton wool leather rubber
oxygen hydrogen carbon nitrogen helium atom molecule cell gene protein virus bacteria disease
cancer heart brain blood bone skin muscle lung liver kidney stomach eye ear nose mouth tongue
lip neck shoulder arm elbow wrist finger thumb leg knee ankle toe back chest hip hand head face
doctor nurse hospital clinic medicine drug pill vaccine surgery patient symptom pain fever cough
school university college student teacher professor lesson course class exam grade degree
library museum theater cinema church temple market shop store mall bank hotel office factory
company business firm industry economy trade export import price cost profit loss tax budget
salary income wage job career worker employee employer manager boss staff team customer client
user owner partner member leader president minister king queen prince princess emperor soldier
army navy war battle peace treaty law court judge lawyer police crime criminal prison jail
government parliament congress senate election vote citizen country nation state city village
capital border map region province county district neighborhood
computer laptop phone smartphone tablet screen keyboard mouse printer camera video audio sound
music song album band guitar piano drum violin orchestra concert singer artist painter painting
picture photo photograph image drawing sculpture poem poetry novel story fiction drama comedy
movie film actor actress director show series episode game sport football soccer basketball
baseball tennis golf hockey cricket rugby race runner player coach match score goal ball field
stadium olympic medal champion winner loser
internet web website page site link server client browser email message chat network protocol
database table row column query index search engine algorithm program code software application
app library framework module package function method class object interface variable constant
string integer number array list vector matrix tensor graph tree node edge hash key value map
file folder directory path disk memory cache queue stack thread process task job worker request
response error exception bug test debug log logging metric monitor dashboard config configuration
setting option parameter argument input output format version release update patch build deploy
cloud container cluster machine processor chip gpu cpu core bit byte storage backup security
password token session login account profile permission role access privacy encryption key
data dataset model training inference prediction accuracy precision recall score loss learning
neural network layer embedding vector similarity distance retrieval ranking relevance evidence
question answer citation reference source document chunk passage context prompt generation summary
translation language word sentence grammar vocabulary dictionary meaning definition example
`;

const MORE = `
ability absence academy accident accord acid act addition address administration adult advance
advantage adventure advice affair agency agenda agent agreement aim alarm alcohol alternative
amount analyst anger angle anniversary announcement anxiety apartment appeal appearance
appointment architecture arena argument arrangement arrival aspect assembly assessment asset
assignment assistance assistant association assumption atmosphere attempt attitude audience
authority award awareness balance ban barrier base basis basket battery beauty behavior belief
benefit bill birth birthday blade blanket block board boat bomb bond border bottle boundary box
brand breath breakfast brick brother brush buck budget burden button cabin cable campaign camp
candidate candle capacity capital captain carbon card career cash category ceremony chain
challenge chamber championship chance channel character charge chart check chief choice circle
circumstance claim climate coalition collapse collection colony column combination comfort
comment commission commitment committee communication comparison competition complaint
component concentration concept concern conclusion condition conference confidence conflict
confusion connection consequence conservation consideration constitution construction
consumer consumption contact content contest contract contrast contribution convention
conversation conviction corporation correspondent council counter courage credit crew crisis
criteria criticism crowd culture currency curriculum customer cycle damage danger deal debate
debt defense deficit definition delivery demand democracy department deposit description desire
destination detail device dialogue diet difficulty dimension dinner direction disaster discipline
discount discovery discussion display distinction distribution diversity division dollar dozen
dream duty economist edition editor effect efficiency election element emergency emotion emphasis
empire employment encounter enemy engineer engineering enterprise entertainment enthusiasm entry
environment episode equipment error essay estate estimate ethics evaluation evening exchange
excitement executive exercise exhibition existence expansion expectation expense experiment
expert explanation explosion exposure expression extension extent facility factor failure faith
fashion fault favor fear fee feedback festival fiction finding fish flag flight focus folk
football fortune foundation framework freedom frequency friendship fuel fund funding funeral
gallery gap gender generation genre gift glance glory governor grant guarantee guard guest
guideline guilt habit hall harm headline heaven height hero highway holiday honor hope horizon
host household housing identity illness impact implication importance impression improvement
incentive incident income independence indication individual infant infection inflation
influence initiative injury inquiry insight inspection instance institution instruction
instrument insurance intelligence intensity intention interaction interpretation intervention
interview introduction investigation investment investor invitation item journal journey joy
judgment jury justice kingdom lab laboratory landscape launch lawsuit layer league lecture
legacy legend legislation lesson liberty license lifestyle limit literature loan location logic
luck machine magazine maintenance majority manner manufacturer margin marriage master meeting
membership mention mess mission mistake mixture mode moment mood motion motivation movement
mystery narrative negotiation neighbor newspaper noise notion novel objective obligation
observation occasion offer officer operation opinion opponent opportunity opposition option
origin outcome output owner pace package pair panel parking participant participation partnership
passage passenger passion pattern payment penalty pension percentage perception performance
permission personality perspective phase phenomenon philosophy physics chemistry biology
mathematics math geometry algebra statistics probability economics psychology sociology
geography astronomy geology medicine pilot pitch platform pleasure pocket portion portrait
possibility potential poverty preference pregnancy preparation presence presentation preservation
pressure prevention pride priority prison prize procedure producer production profession
profile progress promise promotion proof property proportion proposal prospect protection
protest provider publication purpose quality quantity range reaction reader reality recognition
recommendation recovery reduction reflection reform regulation relation release reliability
relief reputation requirement reserve resident resistance resolution resource respect
responsibility restaurant restriction retirement revenue review revolution reward rhythm risk
ritual rival routine rule safety sale sample satellite satisfaction scandal scene schedule
scheme scholar scope screen sector selection sequence session settlement shadow shelter shift
shock shortage signal signature silence skill slope smell society soul specialist species
spectrum speech spirit sponsor spot staff stage standard statement statistic status stock
strain strength stress stroke struggle style substance success suggestion suit supply surgery
survey survival suspect symbol sympathy symptom talent target taste teaching technique telescope
temperature tendency tension term territory terror testimony theme therapy threat threshold
ticket tone tool topic tour tourism tourist tradition traffic tragedy transfer transformation
transition transport transportation treatment trend trial trip trouble trust tune uncle unity
vacation variation variety vehicle venture version victim victory violence vision visitor
volunteer wealth weapon welfare wheel wisdom witness wonder workshop writer yield youth zone
aircraft aeronautics aerodynamics wing airfoil lift drag thrust flow boundary layer turbulence
shock wave supersonic subsonic hypersonic mach velocity pressure nozzle jet propulsion heat
transfer laminar viscous fluid gas plate cylinder cone sphere body surface slender blunt
experimental theoretical numerical solution method approximation equation
`;

const ADJ_ADV = `
able absolute academic acceptable accurate active actual additional adequate advanced afraid
aggressive alive alone amazing annual anxious apparent appropriate automatic average aware awful
basic beautiful blind bold brave brief brilliant broad calm capable careful casual cheap chemical
chief civil classic clever close comfortable commercial competitive complete complex comprehensive
concerned confident conscious conservative considerable consistent constant constitutional
contemporary content conventional cool corporate crazy creative critical crucial cultural curious
cute daily dangerous dead dear decent deep definite deliberate democratic dense dependent
desperate detailed digital direct distinct diverse dramatic dry due dynamic eager efficient
elderly electric electronic elegant emotional empty enormous equal essential ethnic eventual
evident evil exact excellent exciting exclusive existing exotic expensive explicit extensive
extra extreme fair familiar fancy fantastic fat favorite fierce flat flexible fluid foolish
formal former forward fragile frequent fresh friendly front frozen fun funny generous gentle
genuine giant glad golden gradual grand grateful guilty handsome harsh healthy helpful
historic historical honest horrible huge humble hungry ideal identical illegal immediate
immense implicit impressive incredible independent indirect individual inevitable informal
innocent intelligent intense interesting internal invisible isolated joint junior keen kind
lazy legitimate liberal limited linear live logical lonely loose lovely loyal lucky mad magic
magnificent manual marine massive mature maximum meaningful mechanical mere mild minimum
missing mobile moderate modest moral multiple mutual naked narrow nasty native neat negative
nervous neutral noble nuclear numerous objective obvious odd official operational opposite
optical optional ordinary organic original overall painful pale parallel partial particular
passive patient peaceful perfect permanent pleasant plenty polite poor positive powerful
practical precise pregnant premium presidential previous principal prior proper proud
psychological pure quick radical random rapid rare rational raw ready realistic reasonable
regular relative relevant reliable remarkable remote representative respectful responsible
revolutionary rich rigid romantic rough round royal rude sacred safe satisfied scared secret
secure senior sensitive separate severe sexual sharp shy sick significant silent silly smart
smooth sole solid sophisticated spare specific spiritual stable steady steep sticky stiff
straight strict structural stupid subsequent substantial subtle sudden sufficient suitable
super superior sure surprised suspicious sweet swift sympathetic systematic temporary tender
terrible thick tight tiny tired tough toxic traditional tremendous tropical typical ultimate
unable uncomfortable underlying unemployed unexpected unfair unfortunate uniform unique united
universal unlikely unusual upper upset urgent used usual vague valid valuable various vast
verbal vertical victorious violent virtual visible visual vital vivid vulnerable wild willing
wise wonderful wooden worried worth written yellow
actually almost already always anyway anywhere apparently approximately around away barely
certainly clearly completely constantly currently definitely directly easily effectively
especially essentially even eventually ever everywhere exactly extremely fairly finally
frequently fully generally gently gradually greatly hardly heavily highly however immediately
increasingly indeed instead largely lately likely mainly maybe meanwhile merely mostly nearly
necessarily never nevertheless normally obviously often perhaps possibly potentially precisely
primarily probably quickly quite rapidly rarely rather really recently relatively seldom
seriously significantly similarly simply slightly slowly sometimes somewhat soon specifically
still strongly suddenly surely therefore thus together totally truly typically ultimately
unfortunately usually well yet
something nothing anything everything someone anyone everyone nobody somebody everybody
another either neither every whether though although unless since whereas within without upon
across along among around behind beneath beside beyond despite except inside near outside past
per plus minus toward towards via versus yes okay please thanks thank hello goodbye sorry
`;

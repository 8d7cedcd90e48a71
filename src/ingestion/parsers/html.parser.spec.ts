import { htmlParser as sut } from './html.parser';

const parse = (html: string) => sut.parse(Buffer.from(html), {});

describe('htmlParser', () => {
  it('keeps the main text and drops scripts, styles, navigation, banners and footers', () => {
    const doc = parse(`<!doctype html><html><head><title>Cats</title><style>p{}</style></head><body>
      <header><a href="/">Site name</a></header><nav>Home | About</nav>
      <main><h1>On cats</h1><p>Cats sleep a lot.</p><p>They   purr.</p><aside>Ads here</aside></main>
      <script>steal()</script><footer>(c) 2026</footer></body></html>`);
    expect(doc.title).toBe('Cats');
    expect(doc.text).toBe('On cats\n\nCats sleep a lot.\n\nThey purr.');
    expect(doc.text).not.toMatch(/steal|Home|Site name|2026|Ads|p\{\}/);
  });

  it('turns headings into sections with their paths and offsets', () => {
    const doc = parse(
      '<body><h1>Paper</h1><p>Abstract text.</p><h2>Methods</h2><h3>Training</h3><p>We train<br>for days.</p><h2>Results</h2><p>Good.</p></body>',
    );
    expect(doc.sections.map((s) => s.path)).toEqual([
      ['Paper'],
      ['Paper', 'Methods'],
      ['Paper', 'Methods', 'Training'],
      ['Paper', 'Results'],
    ]);
    const training = doc.sections[2]!;
    expect(doc.text.slice(training.start, training.end)).toBe(
      'Training\n\nWe train\nfor days.\n\n',
    );
    expect(doc.text.slice(training.start, training.bodyStart)).toBe('Training');
  });

  it('reads each table row as a paragraph of cells and keeps preformatted text as written', () => {
    const doc = parse(
      '<article><table><tr><th>Name</th><th>Age</th></tr><tr><td>Ann</td><td>31</td></tr></table><pre>a  =  1\n  b</pre></article>',
    );
    expect(doc.text).toBe('Name | Age\n\nAnn | 31\n\na  =  1\n  b');
  });

  it('drops elements named like page furniture when the page marks no main content', () => {
    const doc = parse(
      '<body><div class="site-menu">Menu items</div><div id="cookie-banner">We use cookies</div><div><p>The story.</p></div></body>',
    );
    expect(doc.text).toBe('The story.');
  });
});

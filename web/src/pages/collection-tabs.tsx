import { seg } from '../api/api.client';
import { Link } from '../router/link';

/** The views of one collection: its documents, asking it, searching it. */
export function CollectionTabs({
  name,
  current,
}: {
  name: string;
  current: 'documents' | 'ask' | 'search';
}) {
  const base = `/collections/${seg(name)}`;
  const tabs = [
    { id: 'documents', href: base, label: 'Documents' },
    { id: 'ask', href: `${base}/ask`, label: 'Ask' },
    { id: 'search', href: `/search?collection=${seg(name)}`, label: 'Search' },
  ] as const;
  return (
    <nav class="tabs" aria-label={`Collection ${name}`}>
      <Link href="/collections" class="back">
        ← Collections
      </Link>
      {tabs.map((t) => (
        <Link key={t.id} href={t.href} aria-current={t.id === current ? 'page' : undefined}>
          {t.label}
        </Link>
      ))}
    </nav>
  );
}

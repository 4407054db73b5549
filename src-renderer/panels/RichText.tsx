// Words with `backticks` shown as code (event names, calls, flags, an app's literal output).
export function RichText({ text, className = 'rich', title }: { text: string; className?: string; title?: string }) {
  const parts = text.split('`');
  return (
    <p className={className} title={title}>
      {parts.map((p, i) => (i % 2 === 1 ? <code key={i}>{p}</code> : p))}
    </p>
  );
}

/** The same words for a tooltip, which cannot show code: the backticks go. */
export function plain(text: string): string {
  return text.replace(/`/g, '');
}

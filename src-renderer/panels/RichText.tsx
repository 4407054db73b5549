// A lesson's text: plain words, with `backticks` shown as code (event names, calls, flags).
export function RichText({ text }: { text: string }) {
  const parts = text.split('`');
  return (
    <p className="rich">
      {parts.map((p, i) => (i % 2 === 1 ? <code key={i}>{p}</code> : p))}
    </p>
  );
}

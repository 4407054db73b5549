// A titled box with a one-line explanation on hover.
import type { ReactNode } from 'react';

export function Hint({ text }: { text: string }) {
  return (
    <span className="hint" title={text} aria-label={text} role="note">
      ?
    </span>
  );
}

export function Panel(props: { title: string; hint?: string; sub?: ReactNode; right?: ReactNode; className?: string; children: ReactNode }) {
  return (
    <section className={`panel ${props.className ?? ''}`}>
      <header className="panel-head">
        <h2 title={props.hint}>{props.title}</h2>
        {props.hint && <Hint text={props.hint} />}
        {props.sub && <span className="panel-sub">{props.sub}</span>}
        <span className="panel-right">{props.right}</span>
      </header>
      <div className="panel-body">{props.children}</div>
    </section>
  );
}

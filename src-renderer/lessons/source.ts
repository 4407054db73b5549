/// <reference types="vite/client" />
// forkscope's own code for a lesson's "here" view: the file's text is bundled as a chunk of
// its own (loaded only when asked for), and the named function is cut out of it with the
// comment above it, so the learner reads the real code that did what they just saw.

const FILES = import.meta.glob('../../server-core/**/*.ts', { query: '?raw', import: 'default' }) as Record<string, () => Promise<string>>;

export interface Excerpt {
  /** 1-based line number of the first line shown. */
  first: number;
  lines: string[];
}

/** The text of a file of server-core (a path like `server-core/reaper.ts`), or null if there is none. */
export async function sourceOf(file: string): Promise<string | null> {
  const load = FILES[`../../${file}`];
  return load ? load() : null;
}

const MAX_LINES = 60;

/**
 * The function or method `name` of `text`: its doc comment, its signature and its body up to
 * the closing brace (at most MAX_LINES lines). null when there is no such definition.
 */
export function excerpt(text: string, name: string): Excerpt | null {
  const lines = text.split('\n');
  const def = new RegExp(`^\\s*(export\\s+)?(default\\s+)?(async\\s+)?(function\\s*\\*?\\s+)?((private|public|protected|static|readonly|async|get|set)\\s+)*${name}\\s*[(<=:]`);
  const at = lines.findIndex((l) => def.test(l) && !/^\s*(return|if|while|for|await)\b/.test(l));
  if (at < 0) return null;
  let first = at;
  while (first > 0 && /^\s*(\/\/|\/\*\*|\*|\*\/)/.test(lines[first - 1])) first--;
  let depth = 0;
  let opened = false;
  let last = at;
  for (let i = at; i < lines.length && i < at + MAX_LINES; i++) {
    for (const ch of lines[i].replace(/(['"`]).*?\1/g, '').replace(/\/\/.*$/, '')) {
      if (ch === '{') (depth++, (opened = true));
      else if (ch === '}') depth--;
    }
    last = i;
    if (opened && depth <= 0) break;
  }
  return { first: first + 1, lines: lines.slice(first, last + 1) };
}

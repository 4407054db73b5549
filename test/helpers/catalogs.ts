// Compares two message catalogs (nested objects of strings): keys, plural forms, placeholders.
type Tree = { [k: string]: string | Tree };

const PLURAL = /_(zero|one|two|few|many|other)$/;

function flatten(tree: Tree, prefix = '', out = new Map<string, string>()): Map<string, string> {
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else flatten(v, key, out);
  }
  return out;
}

/** Placeholders ({{name}}) and nestings ($t(key)) a text uses, sorted. */
function slots(text: string): string {
  const found = [...text.matchAll(/\{\{\s*(\w+)\s*\}\}|\$t\(([^)]+)\)/g)].map((m) => (m[1] != null ? `{{${m[1]}}}` : `$t(${m[2]})`));
  return [...new Set(found)].sort().join(' ');
}

/** Every difference between a source catalog and its translation, as one line each. */
export function catalogProblems(source: object, translation: object): string[] {
  const a = flatten(source as Tree);
  const b = flatten(translation as Tree);
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const [key, text] of a) {
    const plural = PLURAL.test(key);
    const base = key.replace(PLURAL, '');
    if (plural) {
      if (seen.has(base)) continue;
      seen.add(base);
      const other = b.get(`${base}_other`);
      if (other == null) problems.push(`${base}: plural missing in the translation`);
      else if (slots(other) !== slots(a.get(`${base}_other`) ?? text)) problems.push(`${base}: placeholders ${slots(a.get(`${base}_other`) ?? text)} vs ${slots(other)}`);
      continue;
    }
    const there = b.get(key);
    if (there == null) problems.push(`${key}: missing in the translation`);
    else if (slots(there) !== slots(text)) problems.push(`${key}: placeholders ${slots(text)} vs ${slots(there)}`);
  }
  for (const key of b.keys()) {
    const base = key.replace(PLURAL, '');
    if (!a.has(key) && !a.has(`${base}_other`) && !a.has(`${base}_one`)) problems.push(`${key}: only in the translation`);
  }
  return problems;
}

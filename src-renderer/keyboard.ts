// Keyboard shortcuts: space pauses/resumes the live view (plays/pauses a replay); r (or
// Ctrl/⌘+Enter) fires the last request again; Escape closes the details drawer and open menus;
// Ctrl/⌘+S saves a recording; ← and → step a replay one event. Keys typed into a field belong to
// the field (Escape too, in a drop-down list, which it closes itself).

export type KeyAction = 'pause' | 'again' | 'close' | 'save' | 'back' | 'forward' | null;

export interface KeyInfo {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  /** The focused element's tag (upper case), its type attribute and whether it is editable. */
  tag: string;
  inputType?: string;
  editable?: boolean;
  repeat?: boolean;
}

const TEXT_INPUTS = new Set(['text', 'number', 'search', 'url', 'email', 'password', 'tel', '']);

export function isTyping(k: KeyInfo): boolean {
  if (k.editable) return true;
  if (k.tag === 'TEXTAREA' || k.tag === 'SELECT') return true;
  if (k.tag === 'INPUT') return TEXT_INPUTS.has((k.inputType ?? '').toLowerCase());
  return false;
}

export function keyAction(k: KeyInfo): KeyAction {
  if (k.key === 'Escape' || k.key === 'Esc') return k.tag === 'SELECT' ? null : 'close';
  if (k.key === 'Enter' && (k.ctrlKey || k.metaKey)) return 'again';
  if ((k.key === 's' || k.key === 'S') && (k.ctrlKey || k.metaKey) && !k.altKey) return 'save';
  if (k.ctrlKey || k.metaKey || k.altKey || k.repeat) return null;
  if (isTyping(k)) return null;
  if (k.key === ' ' || k.key === 'Spacebar') return 'pause';
  if (k.key === 'r' || k.key === 'R') return 'again';
  // A range input (the replay's scrubber) moves with the arrows by itself.
  if (k.tag === 'INPUT' && k.inputType === 'range') return null;
  if (k.key === 'ArrowLeft') return 'back';
  if (k.key === 'ArrowRight') return 'forward';
  return null;
}

// Menus are <details data-menu> elements (the timeline's Types menu): Escape closes them, and so
// does a click anywhere outside an open one — as menus do everywhere else.

const OPEN_MENUS = 'details[data-menu][open]';

/** Closes every open menu (except the one `keep` is inside); returns how many it closed. */
export function closeMenus(root: ParentNode, keep?: Node | null): number {
  let n = 0;
  for (const el of Array.from(root.querySelectorAll<HTMLDetailsElement>(OPEN_MENUS))) {
    if (keep && el.contains(keep)) continue;
    el.open = false;
    n++;
  }
  return n;
}

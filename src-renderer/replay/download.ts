// Files the app hands the person: a recording, a HAR, a PNG. The browser (and Electron, with its
// save dialog) turns a link to a Blob with a `download` name into a file.
export function download(name: string, data: Blob): void {
  const url = URL.createObjectURL(data);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // The download has its own copy once it started; the URL can go.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** `forkscope-2026-12-05T12-10-30` from a recording's start (or now). */
export function fileStem(startedIso?: string): string {
  const d = startedIso ? new Date(startedIso) : new Date();
  const iso = Number.isNaN(d.getTime()) ? new Date().toISOString() : d.toISOString();
  return `forkscope-${iso.slice(0, 19).replace(/:/g, '-')}`;
}

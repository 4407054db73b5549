// The recording named on the command line (`npm run web -- --open FILE`, `npm start -- --open
// FILE`): a page asks for it once it is up (`recording:opened`) and shows it in replay. Read
// when asked, so a page opened later gets the file as it is then.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { OpenedFile } from '../ipc/channels';

export function openedFile(file: string | undefined): () => Promise<OpenedFile | null> {
  return async () => (file === undefined ? null : { name: basename(file), text: await readFile(file, 'utf8') });
}

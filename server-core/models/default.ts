// The model `forkscope serve` uses without --model: a process per connection, as in the
// tutorial's part 3 (models/fork.ts). A file of its own, free of system calls, so
// `forkscope --help` can show it anywhere.
import type { Model } from '../events';

export const defaultModel: Model = 'fork';

// Model name → factory. serve.ts looks a model up here; a name without a factory is
// refused with a clear message.
import type { Model } from '../events';
import { fork } from './fork';
import { iterative } from './iterative';
import { prefork } from './prefork';
import type { ModelFactory } from './types';

export const models: Partial<Record<Model, ModelFactory>> = {
  iterative,
  fork,
  prefork,
};

export { defaultModel } from './default';

export function modelFactory(name: Model): ModelFactory | undefined {
  return models[name];
}

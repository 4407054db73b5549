// The preload: sandboxed, bundled to one CommonJS file, exposing `window.forkscope` through
// contextBridge (the page never sees ipcRenderer itself).
import { contextBridge, ipcRenderer } from 'electron';
import { createApi } from './api';

contextBridge.exposeInMainWorld('forkscope', createApi(ipcRenderer));

/// <reference types="vite/client" />
import type { LabApi } from '../../shared/api';

declare global {
  interface Window {
    /** Present under Electron: LabApi bridged by the preload script. */
    bnlab?: LabApi;
  }
}

declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}

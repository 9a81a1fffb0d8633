/**
 * The renderer's one way to the lab. Under Electron the preload script has put LabApi on
 * `window.bnlab`; in browser mode the same API is built over the WebSocket bridge. Nothing else in
 * the renderer knows which transport it is on.
 */
import type { LabApi } from '../../../shared/api';
import { createLabClient } from '../../../shared/apiClient';
import { connectBrowserBridge } from './browserBridge';

export const lab: LabApi = window.bnlab ?? createLabClient(connectBrowserBridge(window.location));

import { createApp } from 'vue';
import { createPinia } from 'pinia';
import App from './App.vue';
import { chartDiagnostics } from './charts/diagnostics';
import './styles/base.css';
import { z } from 'zod';

// zod's start-up probe for `new Function` is an eval the CSP forbids: validate without it.
z.config({ jitless: true });

// The UI benchmark opens the page with "#…&measure=1" (and "&noThinning=1" for its baseline).
const hash = new URLSearchParams(window.location.hash.replace(/^#/, ''));
chartDiagnostics.measure = hash.get('measure') === '1';
chartDiagnostics.noThinning = hash.get('noThinning') === '1';

createApp(App).use(createPinia()).mount('#app');

import { createApp } from 'vue';
import { createPinia } from 'pinia';
import App from './App.vue';
import { chartDiagnostics } from './charts/diagnostics';
import './styles/base.css';

// The UI benchmark opens the page with "#…&measure=1" (and "&noThinning=1" for its baseline).
const hash = new URLSearchParams(window.location.hash.replace(/^#/, ''));
chartDiagnostics.measure = hash.get('measure') === '1';
chartDiagnostics.noThinning = hash.get('noThinning') === '1';

createApp(App).use(createPinia()).mount('#app');

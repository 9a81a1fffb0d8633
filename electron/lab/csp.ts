/**
 * The Content-Security-Policy of every page the lab serves, built in one place for the Electron
 * protocol handler and the browser-mode server. Scripts come only from the app itself; wasm needs
 * 'wasm-unsafe-eval' (tfjs's wasm backend), never 'unsafe-eval'. Inline styles are allowed because
 * Vue style bindings, ECharts and KaTeX set them; inline scripts are not.
 */
export function contentSecurityPolicy(options: { connect?: string[] } = {}): string {
  const directives: Record<string, string[]> = {
    'default-src': ["'self'"],
    'script-src': ["'self'", "'wasm-unsafe-eval'"],
    'style-src': ["'self'", "'unsafe-inline'"],
    'img-src': ["'self'", 'data:', 'blob:'],
    'font-src': ["'self'", 'data:'],
    'connect-src': ["'self'", ...(options.connect ?? [])],
    'worker-src': ["'self'", 'blob:'],
    'object-src': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'none'"],
    'frame-ancestors': ["'none'"],
  };
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ');
}

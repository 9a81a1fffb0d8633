/** Framework-free series maths shared by the renderer, the run store and presets. */
export * from './smoothing';
export * from './thinning';
export * from './groups';
export * from './summary';
export * from './extent';
export * from './colors';
export * from './display';

/** The lifecycle of a runtime, apart from the runtime so that its API side can judge readiness from it. */

/** Lifecycle of a runtime. */
export type RuntimeState = 'CREATED' | 'RECOVERING' | 'RUNNING' | 'STOPPING' | 'STOPPED' | 'FAILED';

/** Whether `host` is only reachable from this machine (127.0.0.0/8, ::1, localhost). Pure. */
export const isLoopback = (host: string): boolean => host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);

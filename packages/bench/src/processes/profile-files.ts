/** `x.cpuprofile` → `x.heapprofile`: the allocation profile of the same window, as DevTools names it. */
export function heapProfilePath(cpuProfilePath: string): string {
  return cpuProfilePath.replace(/\.cpuprofile$/, '') + '.heapprofile';
}

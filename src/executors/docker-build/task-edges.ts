/** Nx 24 lists task dependencies as `{ id }` edges, Nx 23 as plain ids. */
export function edgeId(edge: string | { id: string }): string {
  return typeof edge === 'string' ? edge : edge.id;
}

/**
 * Where an engine keeps images: the classic store (graph drivers; an image ID is the digest of
 * the image's config) or the containerd image store (opt-in from Engine 24, the default on new
 * installs from 29; an image ID is the digest of its manifest or index). The same image has
 * different IDs in the two; only the containerd store holds a multi-platform image.
 */
export type ImageStore = 'classic' | 'containerd';

export function imageStoreFromInfo(info: { DriverStatus?: readonly (readonly string[])[] | null }): ImageStore {
  const containerd = (info.DriverStatus ?? []).some(([key, value]) => key === 'driver-type' && value?.startsWith('io.containerd.snapshotter'));
  return containerd ? 'containerd' : 'classic';
}

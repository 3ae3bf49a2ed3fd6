// What the cgroup v1 and v2 conversions of linux.resources share (v1:
// resources-v1.ts, v2: resources-v2.ts): the write record, hugetlb page
// sizes, rdma values, and the kernel memory settings runc 1.1 ignores.
import { configError } from '../errors';
import type { Resources } from '../config/types';

export interface CgroupWrite {
  /** the controller whose hierarchy (v1) or interface file (v2) this is */
  controller: string;
  file: string;
  value: string;
  /** written instead when `file` does not exist (e.g. blkio.bfq.weight for blkio.weight) */
  alt?: { file: string; value: string };
  /** skipped when the file does not exist (e.g. memsw without swap accounting) */
  ifExists?: boolean;
  /** refused with EINVAL: written again after the next write (cpu.cfs_period_us: see resources-v1.ts) */
  retryAfterNext?: boolean;
}

/** memory.kernel and kernelTCP: runc 1.1 ignores them with a warning, and so does minirun. */
export function kernelMemoryGiven(r: Resources | undefined): boolean {
  const m = r?.memory;
  return (m?.kernel !== undefined && m.kernel !== 0n) || (m?.kernelTCP !== undefined && m.kernelTCP !== 0n);
}

export const KERNEL_MEMORY_WARNING = 'Kernel memory settings are ignored and will be removed';

/** "2MB" -> "2MB"; the page sizes the kernel names hugetlb files after. */
export function checkPageSize(size: string, field: string): string {
  if (!/^[0-9]+(KB|MB|GB)$/.test(size))
    throw configError(field, `${JSON.stringify(size)} is not a page size like 2MB or 1GB`);
  return size;
}

export function rdmaValue(r: { hcaHandles?: number; hcaObjects?: number }): string {
  return `hca_handle=${r.hcaHandles ?? 'max'} hca_object=${r.hcaObjects ?? 'max'}`;
}

/**
 * Is this still one of the machine's addresses? When the address a connection was made
 * from is gone (roaming to another network), the link is dead for certain: re-dial at
 * once instead of spending a probe deadline proving it.
 */
import { networkInterfaces } from 'node:os';

export function isLocalAddress(address: string | undefined): boolean {
  if (!address) return true; // unknown: let the probe decide
  const plain = address.replace(/^::ffff:/, '').replace(/%.*$/, '');
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.address.replace(/%.*$/, '') === plain) return true;
  }
  return false;
}

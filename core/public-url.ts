/**
 * URLs the product shows to other people (avatars): https only (http too where the caller
 * allows it, in development), never credentials in the URL, and never a host that names this
 * machine or a private network — loopback, private, link-local, unique-local, carrier-grade
 * NAT, unspecified, multicast or reserved addresses, `localhost` and the special-use names
 * (`.localhost`, `.local`, `.internal`, `.home.arpa`), or a single-label intranet name.
 * Names are not resolved: the server never fetches these URLs, it only refuses the ones that
 * point inward on their face (issue 10).
 */
import ipaddr from 'ipaddr.js';
import { z } from 'zod';

const SPECIAL_SUFFIXES = ['.localhost', '.local', '.internal', '.home.arpa', '.lan'];

/** Why `url` may not be shown publicly, or null when it may. */
export function publicUrlProblem(url: URL, allowHttp: boolean): string | null {
  if (url.protocol !== 'https:' && !(allowHttp && url.protocol === 'http:')) return allowHttp ? 'must be http(s)' : 'must be https';
  if (url.username || url.password) return 'must not contain credentials';
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (ipaddr.isValid(host)) {
    const parsed = ipaddr.parse(host);
    const address =
      parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress() ? (parsed as ipaddr.IPv6).toIPv4Address() : parsed;
    return address.range() === 'unicast' ? null : `must not point at a ${address.range()} address`;
  }
  const name = host.replace(/\.$/, '');
  if (name === 'localhost' || SPECIAL_SUFFIXES.some((s) => name.endsWith(s))) return 'must not point at a local or internal host';
  if (!name.includes('.')) return 'must name a public host (a single-label name is an intranet host)';
  return null;
}

/** A public URL field of at most `max` characters (see publicUrlProblem). */
export function zPublicUrl(max: number, options: { allowHttp: boolean }) {
  return z
    .string()
    .max(max)
    .superRefine((s, ctx) => {
      let url: URL;
      try {
        url = new URL(s);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be an absolute URL' });
        return;
      }
      const problem = publicUrlProblem(url, options.allowHttp);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });
}

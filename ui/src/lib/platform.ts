/** Which desktop OS the web view runs on, from its user agent (styles differ per OS, e.g. the
 *  font stack: see `:root[data-os]` in styles.css). */
export type Os = "linux" | "macos" | "windows" | "other";

export function osOf(userAgent: string): Os {
  if (/Windows/.test(userAgent)) return "windows";
  if (/Macintosh|Mac OS X/.test(userAgent)) return "macos";
  if (/Linux|X11|FreeBSD|OpenBSD/.test(userAgent) && !/Android/.test(userAgent)) return "linux";
  return "other";
}

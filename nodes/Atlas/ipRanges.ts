/**
 * IP addresses and address ranges (CIDR) for the Atlas Trigger's IP Allow-List, IPv4 and IPv6, in
 * plain arithmetic: community nodes may not import Node's `net` module.
 */

/** An address as 4 (IPv4) or 16 (IPv6) bytes. IPv4-mapped IPv6 addresses become IPv4. */
export type IpBytes = number[];

export interface Cidr {
	bytes: IpBytes;
	prefix: number;
}

function parseIpv4(text: string): IpBytes | undefined {
	const parts = text.split('.');
	if (parts.length !== 4) return undefined;
	const bytes = parts.map((part) => (/^\d{1,3}$/.test(part) ? Number(part) : NaN));
	return bytes.every((b) => b >= 0 && b <= 255) ? bytes : undefined;
}

const HEXTET = /^[0-9a-f]{1,4}$/i;

function parseHextets(groups: string[]): number[] | undefined {
	const words: number[] = [];
	for (const group of groups) {
		if (!HEXTET.test(group)) return undefined;
		words.push(parseInt(group, 16));
	}
	return words;
}

function parseIpv6(text: string): IpBytes | undefined {
	let groups = text;
	const tail: number[] = [];
	// A dotted IPv4 tail (::ffff:1.2.3.4) stands for the last two groups.
	const lastColon = text.lastIndexOf(':');
	const last = text.slice(lastColon + 1);
	if (last.includes('.')) {
		const v4 = parseIpv4(last);
		if (!v4) return undefined;
		tail.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
		groups = text.slice(0, lastColon + 1);
		if (!groups.endsWith('::')) groups = groups.slice(0, -1);
	}
	const halves = groups.split('::');
	if (halves.length > 2) return undefined;
	const split = (part: string) => (part === '' ? [] : part.split(':'));
	const left = parseHextets(split(halves[0]));
	const right = parseHextets(halves.length === 2 ? split(halves[1]) : []);
	if (!left || !right) return undefined;
	const given = left.length + right.length + tail.length;
	if (halves.length === 1 ? given !== 8 : given > 7) return undefined;
	// Plain loops: the list is parsed on every call (no cache), and the caller's address too.
	const words = left.concat(new Array<number>(8 - given).fill(0), right, tail);
	const bytes: IpBytes = [];
	for (const w of words) bytes.push(w >> 8, w & 0xff);
	return bytes;
}

function isV4Mapped(bytes: IpBytes): boolean {
	if (bytes.length !== 16 || bytes[10] !== 0xff || bytes[11] !== 0xff) return false;
	for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
	return true;
}

/** Parses an IPv4 or IPv6 address (zone ids and brackets tolerated); undefined when invalid. */
export function parseIp(text: string): IpBytes | undefined {
	const clean = text
		.trim()
		.replace(/^\[(.*)\]$/, '$1')
		.replace(/%.*$/, '');
	const bytes = clean.includes(':') ? parseIpv6(clean) : parseIpv4(clean);
	return bytes && isV4Mapped(bytes) ? bytes.slice(12) : bytes;
}

/** Parses `1.2.3.0/24`, `2001:db8::/32` or a single address; undefined when invalid. */
export function parseCidr(text: string): Cidr | undefined {
	const [address, prefixText, extra] = text.trim().split('/');
	if (extra !== undefined) return undefined;
	const raw = address.includes(':') ? parseIpv6(address.trim()) : parseIpv4(address.trim());
	if (!raw) return undefined;
	const bits = raw.length * 8;
	const prefix =
		prefixText === undefined ? bits : /^\d+$/.test(prefixText) ? Number(prefixText) : NaN;
	if (!(prefix >= 0 && prefix <= bits)) return undefined;
	// ::ffff:a.b.c.d/n covers IPv4 addresses: keep it comparable with plain IPv4.
	if (isV4Mapped(raw) && prefix >= 96) return { bytes: raw.slice(12), prefix: prefix - 96 };
	return { bytes: raw, prefix };
}

export interface CidrList {
	cidrs: Cidr[];
	invalid: string[];
}

/** Splits a comma/space/newline separated list into ranges, reporting the entries it cannot read. */
export function parseCidrList(text: string): CidrList {
	const entries = text.split(/[\s,;]+/).filter((entry) => entry !== '');
	const cidrs: Cidr[] = [];
	const invalid: string[] = [];
	for (const entry of entries) {
		const cidr = parseCidr(entry);
		if (cidr) cidrs.push(cidr);
		else invalid.push(entry);
	}
	return { cidrs, invalid };
}

function inRange(ip: IpBytes, { bytes, prefix }: Cidr): boolean {
	if (ip.length !== bytes.length) return false;
	const full = Math.floor(prefix / 8);
	for (let i = 0; i < full; i++) if (ip[i] !== bytes[i]) return false;
	const rest = prefix % 8;
	if (rest === 0) return true;
	const mask = (0xff << (8 - rest)) & 0xff;
	return (ip[full] & mask) === (bytes[full] & mask);
}

/** Whether `ip` falls in any of `cidrs`. An unreadable address is never allowed. */
export function isIpAllowed(ip: string | undefined, cidrs: Cidr[]): boolean {
	const bytes = ip === undefined ? undefined : parseIp(ip);
	return bytes !== undefined && cidrs.some((cidr) => inRange(bytes, cidr));
}

import { checkClientId, tokenFromHeader, tokensMatch } from '../../nodes/Atlas/AtlasTriggerHelpers';
import { isIpAllowed, parseCidr, parseCidrList, parseIp } from '../../nodes/Atlas/ipRanges';

describe('checkClientId', () => {
	it.each([
		['C123', 'C123', 'match'],
		[' C123 ', 'C123', 'match'],
		['C999', 'C123', 'mismatch'],
		['c123', 'C123', 'mismatch'],
		[null, 'C123', 'missing'],
		['  ', 'C123', 'missing'],
	] as const)('cid %p against %p is %s', (cid, expected, result) => {
		expect(checkClientId(cid, expected)).toBe(result);
	});
});

describe('tokens', () => {
	it('matches only the exact token', () => {
		expect(tokensMatch('s3cret-value', 's3cret-value')).toBe(true);
		expect(tokensMatch('s3cret-valuE', 's3cret-value')).toBe(false);
		expect(tokensMatch('s3cret', 's3cret-value')).toBe(false);
		expect(tokensMatch(undefined, 's3cret-value')).toBe(false);
	});

	it('never matches an empty expected token', () => {
		expect(tokensMatch('', '')).toBe(false);
	});

	it('reads a header with or without a Bearer prefix, first value of a list', () => {
		expect(tokenFromHeader('Bearer abc')).toBe('abc');
		expect(tokenFromHeader('bearer   abc')).toBe('abc');
		expect(tokenFromHeader(' abc ')).toBe('abc');
		expect(tokenFromHeader(['abc', 'def'])).toBe('abc');
		expect(tokenFromHeader(undefined)).toBeUndefined();
	});
});

describe('parseIp', () => {
	it.each([
		['1.2.3.4', [1, 2, 3, 4]],
		['::ffff:1.2.3.4', [1, 2, 3, 4]],
		['::FFFF:0102:0304', [1, 2, 3, 4]],
		['0:0:0:0:0:ffff:1.2.3.4', [1, 2, 3, 4]],
		['[::1]', [...new Array(15).fill(0), 1]],
		['fe80::1%eth0', [0xfe, 0x80, ...new Array(13).fill(0), 1]],
	])('reads %s', (text, bytes) => {
		expect(parseIp(text)).toEqual(bytes);
	});

	it('reads a full IPv6 address', () => {
		expect(parseIp('2001:db8:0:0:0:0:0:1')).toEqual(parseIp('2001:db8::1'));
		expect(parseIp('2001:db8::1')).toHaveLength(16);
	});

	it.each([
		'',
		'1.2.3',
		'1.2.3.256',
		'1.2.3.4.5',
		'a.b.c.d',
		'::1::',
		'1:2:3:4:5:6:7:8:9',
		'gggg::1',
		'::ffff:1.2.3',
	])('rejects %p', (text) => {
		expect(parseIp(text)).toBeUndefined();
	});
});

describe('parseCidr / parseCidrList', () => {
	it('reads ranges and single addresses', () => {
		expect(parseCidr('10.0.0.0/8')).toEqual({ bytes: [10, 0, 0, 0], prefix: 8 });
		expect(parseCidr('10.1.2.3')).toEqual({ bytes: [10, 1, 2, 3], prefix: 32 });
		expect(parseCidr('2001:db8::/32')?.prefix).toBe(32);
	});

	it('turns an IPv4-mapped IPv6 range into an IPv4 range', () => {
		expect(parseCidr('::ffff:10.0.0.0/104')).toEqual({ bytes: [10, 0, 0, 0], prefix: 8 });
	});

	it.each(['10.0.0.0/33', '10.0.0.0/-1', '10.0.0.0/x', '10.0.0.0/8/9', '::/129', 'example.com'])(
		'rejects %p',
		(text) => {
			expect(parseCidr(text)).toBeUndefined();
		},
	);

	it('splits on commas, spaces and newlines and reports unreadable entries', () => {
		const list = parseCidrList('10.0.0.0/8, 192.168.1.1\n2001:db8::/32;nonsense');
		expect(list.cidrs).toHaveLength(3);
		expect(list.invalid).toEqual(['nonsense']);
		expect(parseCidrList('  ')).toEqual({ cidrs: [], invalid: [] });
	});
});

describe('isIpAllowed', () => {
	const { cidrs } = parseCidrList('203.0.113.0/24, 198.51.100.7, 2001:db8::/32, 10.128.0.0/9');

	it.each([
		'203.0.113.1',
		'203.0.113.255',
		'198.51.100.7',
		'::ffff:203.0.113.9',
		'::ffff:198.51.100.7',
		'2001:db8:1::5',
		'10.200.1.1',
	])('allows %s', (ip) => {
		expect(isIpAllowed(ip, cidrs)).toBe(true);
	});

	it.each([
		'203.0.114.1',
		'198.51.100.8',
		'::ffff:203.0.114.1',
		'2001:db9::1',
		'10.1.1.1',
		'::1',
		'not-an-ip',
		undefined,
	])('denies %p', (ip) => {
		expect(isIpAllowed(ip, cidrs)).toBe(false);
	});

	it('allows IPv4-mapped callers for a range written as mapped IPv6', () => {
		expect(isIpAllowed('1.2.3.4', parseCidrList('::ffff:1.2.3.0/120').cidrs)).toBe(true);
	});

	it('denies everyone with an empty list', () => {
		expect(isIpAllowed('1.2.3.4', [])).toBe(false);
	});

	it('handles /0 and non-byte-aligned prefixes', () => {
		expect(isIpAllowed('8.8.8.8', parseCidrList('0.0.0.0/0').cidrs)).toBe(true);
		expect(isIpAllowed('10.0.0.7', parseCidrList('10.0.0.4/30').cidrs)).toBe(true);
		expect(isIpAllowed('10.0.0.8', parseCidrList('10.0.0.4/30').cidrs)).toBe(false);
	});
});

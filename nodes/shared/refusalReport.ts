/**
 * Refused deliveries made visible without letting forged calls start executions at will.
 *
 * Each refused call still gets its own precise answer (401, 403…). Besides that, every trigger node
 * keeps a tally in this process's memory, per reason: how many, first and last time. The first
 * refusal after a quiet spell, and then the first call of any kind once REPORT_INTERVAL_MS has
 * passed since the last report, hands the tally over as ONE report (an item on the trigger's
 * Refused output and one summarised log line) and starts counting afresh. A flood of forged calls
 * therefore starts at most one execution per interval per trigger node and process.
 *
 * Nothing secret or long reaches the report: reasons are our own words per code, never the
 * request's text; the only caller-supplied value is the source address, kept only when it reads
 * as an IP address.
 */
import type { IDataObject, IHookFunctions, IWebhookFunctions } from 'n8n-workflow';

/** At most one report (and one log line) per trigger node and process in this time. */
export const REPORT_INTERVAL_MS = 5 * 60 * 1000;
export const REPORT_INTERVAL_MINUTES = REPORT_INTERVAL_MS / 60_000;

/** Trigger nodes whose tallies this process keeps; the least recently reported go first. */
const MAX_TRACKED_NODES = 1000;
/** Distinct source addresses kept per reason. */
const MAX_ADDRESSES = 5;
/** Our own detail texts (an invalid setting, an Atlas error) are cut to this length. */
const MAX_DETAIL_LENGTH = 300;

/** Why a call was refused, or what went wrong around the trigger. */
export type RefusalCode =
	| 'signatureMismatch'
	| 'apiKeyMismatch'
	| 'staleTimestamp'
	| 'missingSignature'
	| 'credentialIncomplete'
	| 'addressNotAllowed'
	| 'wrongToken'
	| 'clientIdMismatch'
	| 'clientIdMissing'
	| 'unreadableBody'
	| 'invalidSettings'
	| 'urlNotRegistered';

interface ReasonWording {
	/** What happened, in plain words. */
	reason: string;
	/** What the user can do about it. */
	whatToDo: string;
	/** A problem around the trigger rather than a refused delivery. */
	problem?: boolean;
}

export const REASONS: Record<RefusalCode, ReasonWording> = {
	signatureMismatch: {
		reason: 'Signature did not match',
		whatToDo:
			'Check the shared secret in the Expedia Rapid API credential: it must be the one Rapid has for this account now (it changes when the secret is rotated).',
	},
	apiKeyMismatch: {
		reason: 'Signed with a different API key',
		whatToDo:
			'Check the API key in the Expedia Rapid API credential: it must be the key of the account Rapid sends from. Calls from someone guessing also land here.',
	},
	staleTimestamp: {
		reason: "Signature time too far from this server's clock",
		whatToDo:
			"Check that this server's clock is right (within the Timestamp Tolerance). Old calls replayed by someone else also land here.",
	},
	missingSignature: {
		reason: 'No signature, or one that cannot be read',
		whatToDo:
			'Rapid always signs its notifications, so these calls are probably not from Rapid. If they are, check that nothing between Rapid and n8n (a proxy or gateway) removes the Authorization header.',
	},
	credentialIncomplete: {
		reason: 'The credential has no API key or shared secret',
		whatToDo: 'Enter both in the Expedia Rapid API credential used by the trigger.',
	},
	addressNotAllowed: {
		reason: 'Caller address not in the IP Allow-List',
		whatToDo:
			"If Atlas now calls from new addresses, ask Atlas which ones and add them to the trigger's IP Allow-List: the addresses seen here may be strangers'. Behind a reverse proxy, n8n must be set up to see the caller's address (see the docs).",
	},
	wrongToken: {
		reason: 'Shared token missing or wrong',
		whatToDo:
			"Check that the URL Atlas calls carries the credential's current Webhook Token (Register URL on Publish adds it), or that your gateway adds the header.",
	},
	clientIdMismatch: {
		reason: 'Event from another Atlas account (client ID differs)',
		whatToDo:
			'Check the client ID in the Atlas API credential (or Expected Client ID in the trigger). Another account may be pointed at this URL.',
	},
	clientIdMissing: {
		reason: 'Event without a client ID, and nothing else vouches for the caller',
		whatToDo:
			'Atlas sends some events (airline status, some cancellations) without a client ID: set the IP Allow-List or the Shared Token so they pass. They are not sent again.',
	},
	unreadableBody: {
		reason: 'Body was not readable JSON',
		whatToDo:
			"The provider always sends JSON, so these calls are probably not from it. If they are, contact the provider's support with the times below.",
	},
	invalidSettings: {
		reason: "The trigger's settings are invalid",
		whatToDo:
			'Open the trigger and fix the setting named below (or the expression behind it). The provider is told to retry later.',
	},
	urlNotRegistered: {
		reason: 'Could not point Atlas at this URL when n8n started',
		whatToDo:
			"Atlas keeps calling the URL it had, and this workflow keeps listening. If Atlas' URL is not this workflow's Production URL, publish the workflow again or use the Atlas node's Register URL.",
		problem: true,
	},
};

/** One thing to count, as the trigger saw it. */
export interface Refusal {
	code: RefusalCode;
	/** The HTTP status the caller got (none for a problem that was not a call). */
	status?: number;
	/** The caller's address as n8n reports it. */
	address?: string;
	/** Our own words about it (the invalid setting, the Atlas error): never request text. */
	detail?: string;
}

interface Tally {
	count: number;
	first: Date;
	last: Date;
	status?: number;
	addresses: string[];
	detail?: string;
}

interface NodeTally {
	lastReportAt?: number;
	tallies: Map<RefusalCode, Tally>;
}

/** This process's tallies, one per trigger node (key: workflow and node). */
const nodeTallies = new Map<string, NodeTally>();

/** The key of a trigger node's tally: the same from its webhook and its activation hooks. */
export const refusalKeyOf = (context: IWebhookFunctions | IHookFunctions): string =>
	`${context.getWorkflow().id ?? ''}:${context.getNode().id}`;

/** Only what reads as an IP address: the value may come from a header the caller wrote. */
function readableAddress(address: string | undefined): string | undefined {
	if (typeof address !== 'string') return undefined;
	const bare = address.startsWith('::ffff:') ? address.slice(7) : address;
	return /^[0-9a-fA-F:.]{2,45}$/.test(bare) ? bare : undefined;
}

const capped = (text: string) =>
	text.length > MAX_DETAIL_LENGTH ? `${text.slice(0, MAX_DETAIL_LENGTH - 1)}…` : text;

function tallyOf(key: string): NodeTally {
	let node = nodeTallies.get(key);
	if (!node) {
		if (nodeTallies.size >= MAX_TRACKED_NODES) {
			nodeTallies.delete(nodeTallies.keys().next().value as string);
		}
		node = { tallies: new Map() };
		nodeTallies.set(key, node);
	}
	return node;
}

/** Counts one refusal (or problem) for the node `key`, to be reported with the next report. */
export function countRefusal(key: string, refusal: Refusal, at: Date): void {
	addTo(tallyOf(key).tallies, refusal, at);
}

function addTo(tallies: Map<RefusalCode, Tally>, refusal: Refusal, at: Date): void {
	const tally = tallies.get(refusal.code) ?? { count: 0, first: at, last: at, addresses: [] };
	tally.count += 1;
	// Clocks can step back: first and last stay the earliest and the latest seen.
	if (at < tally.first) tally.first = at;
	if (at > tally.last) tally.last = at;
	tally.status = refusal.status ?? tally.status;
	if (refusal.detail !== undefined) tally.detail = capped(refusal.detail);
	const address = readableAddress(refusal.address);
	if (address && !tally.addresses.includes(address) && tally.addresses.length < MAX_ADDRESSES) {
		tally.addresses.push(address);
	}
	tallies.set(refusal.code, tally);
}

/** Forgets a counted problem that has since gone away (Atlas accepted the URL after all). */
export function clearRefusal(key: string, code: RefusalCode): void {
	nodeTallies.get(key)?.tallies.delete(code);
}

/** A report as the trigger emits it and logs it. */
export interface RefusalReport {
	item: IDataObject;
	logLine: string;
}

/**
 * The node's report when one is due: something is counted and no report went out in the last
 * REPORT_INTERVAL_MS. Taking it starts a fresh tally; otherwise counts keep accumulating.
 */
export function takeDueReport(
	key: string,
	triggerName: string,
	at: Date,
): RefusalReport | undefined {
	const node = nodeTallies.get(key);
	if (!node || node.tallies.size === 0) return undefined;
	// Concurrent calls finish out of order: one received just before the last report is within the
	// interval too. A clock that stepped back further makes a report due rather than silencing
	// refusals for the size of the step.
	const elapsed = node.lastReportAt === undefined ? Infinity : at.getTime() - node.lastReportAt;
	if (Math.abs(elapsed) < REPORT_INTERVAL_MS) return undefined;
	const report = buildReport(node.tallies, triggerName, at);
	node.tallies = new Map();
	node.lastReportAt = at.getTime();
	// Most recently reported last, so the oldest go first when the map is full.
	nodeTallies.delete(key);
	nodeTallies.set(key, node);
	return report;
}

/** A report of one refusal alone: a test call in the editor, outside the production tally. */
export function reportOfOne(refusal: Refusal, triggerName: string, at: Date): RefusalReport {
	const tallies = new Map<RefusalCode, Tally>();
	addTo(tallies, refusal, at);
	return buildReport(tallies, triggerName, at);
}

function entryOf(code: RefusalCode, tally: Tally): IDataObject {
	const { reason } = REASONS[code];
	// What to do carries the facts it refers to, so a message built from it alone is enough.
	const facts = [
		tally.detail === undefined ? undefined : tally.detail,
		tally.addresses.length > 0 ? `Seen from: ${tally.addresses.join(', ')}.` : undefined,
	].filter((fact): fact is string => fact !== undefined);
	const whatToDo = [REASONS[code].whatToDo, ...facts].join(' ');
	return {
		reason,
		whatToDo,
		code,
		count: tally.count,
		firstAt: tally.first.toISOString(),
		lastAt: tally.last.toISOString(),
		...(tally.status === undefined ? {} : { httpStatus: tally.status }),
		...(tally.addresses.length > 0 ? { sourceAddresses: [...tally.addresses] } : {}),
		...(tally.detail === undefined ? {} : { detail: tally.detail }),
	};
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

function buildReport(
	tallies: Map<RefusalCode, Tally>,
	triggerName: string,
	at: Date,
): RefusalReport {
	const all = [...tallies.entries()].sort((a, b) => b[1].count - a[1].count);
	const refused = all.filter(([code]) => !REASONS[code].problem);
	const problems = all.filter(([code]) => REASONS[code].problem);
	const refusedCount = refused.reduce((sum, [, tally]) => sum + tally.count, 0);
	const first = all.reduce((min, [, t]) => (t.first < min ? t.first : min), all[0][1].first);
	const last = all.reduce((max, [, t]) => (t.last > max ? t.last : max), all[0][1].last);
	const parts = [
		...refused.map(([code, t]) => `${REASONS[code].reason} (${t.count})`),
		...problems.map(([code]) => REASONS[code].reason),
	];
	const headline =
		refusedCount > 0
			? `${triggerName} refused ${plural(refusedCount, 'call')}`
			: `${triggerName} has a problem`;
	const when =
		first.getTime() === last.getTime()
			? `at ${first.toISOString()}`
			: `between ${first.toISOString()} and ${last.toISOString()}`;
	const summary = `${headline} ${when}: ${parts.join('; ')}.`;
	const nextReportAfter = new Date(at.getTime() + REPORT_INTERVAL_MS).toISOString();
	const item: IDataObject = {
		refusedDeliveries: true,
		trigger: triggerName,
		summary,
		refusedCount,
		firstAt: first.toISOString(),
		lastAt: last.toISOString(),
		reportedAt: at.toISOString(),
		refusals: refused.map(([code, tally]) => entryOf(code, tally)),
		...(problems.length > 0
			? { problems: problems.map(([code, tally]) => entryOf(code, tally)) }
			: {}),
		nextReportAfter,
		note: `At most one such report every ${REPORT_INTERVAL_MINUTES} minutes per trigger: later refusals are counted and reported together.`,
	};
	const logLine = `${summary} Next summary after ${nextReportAfter} at the earliest.`;
	return { item, logLine };
}

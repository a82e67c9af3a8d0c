import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { apiError } from '../../../shared/errors';
import { rapidApiRequest } from '../../transport';
import { isIncomplete, simplifyItinerary } from './simplify';

/**
 * Rapid requires the customer's IP on Retrieve Booking and asks partners not to send their own. A
 * lookup from a workflow has no customer: loopback says so without posing as anyone.
 */
export const DEFAULT_CUSTOMER_IP = '127.0.0.1';

const properties: INodeProperties[] = [
	{
		displayName: 'Itinerary ID',
		name: 'itineraryId',
		type: 'string',
		required: true,
		default: '',
		placeholder: '8955599932111',
		description:
			"The booking's itinerary ID, e.g. the itinerary_id of an Expedia Rapid Trigger item",
	},
	{
		displayName: 'Email',
		name: 'email',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'name@email.com',
		description:
			'The email address of the booking, e.g. the email of an Expedia Rapid Trigger item',
	},
	{
		displayName: 'Simplify',
		name: 'simplify',
		type: 'boolean',
		default: true,
		description:
			'Whether to return only the key fields (property, status, dates, guests, confirmation IDs, totals) instead of everything Rapid sends',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Customer IP',
				name: 'customerIp',
				type: 'string',
				default: DEFAULT_CUSTOMER_IP,
				description:
					'The IP address of the traveler this lookup is for, when one takes part (e.g. in a chat). Rapid requires one; the default 127.0.0.1 tells Rapid that no traveler is present.',
			},
			{
				displayName: 'Customer Session ID',
				name: 'customerSessionId',
				type: 'string',
				default: '',
				description:
					"Your own ID for the traveler's session, sent to Rapid to link calls of that session",
			},
		],
	},
];

export const description: INodeProperties[] = properties.map((property) => ({
	...property,
	displayOptions: { show: { resource: ['itinerary'], operation: ['get'] } },
}));

/** Rapid's itinerary IDs are digits; letters, '-' and '_' are let through in case that changes. */
const ITINERARY_ID = /^[A-Za-z0-9_-]{1,64}$/;
const EMAIL = /^[^\s@]+@[^\s@]+$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** An IPv6 address in any of its written forms (at most one '::', 1–4 hex digits per group). */
function isIpv6(value: string): boolean {
	const halves = value.split('::');
	if (halves.length > 2) return false;
	const groups = halves.flatMap((half) => (half === '' ? [] : half.split(':')));
	const last = groups[groups.length - 1] ?? '';
	// An IPv4 address may end the address, and counts as two groups.
	const embedded = IPV4.test(last) && value.endsWith(last);
	const hex = embedded ? groups.slice(0, -1) : groups;
	if (!hex.every((group) => /^[0-9a-fA-F]{1,4}$/.test(group))) return false;
	const count = hex.length + (embedded ? 2 : 0);
	return halves.length === 2 ? count < 8 : count === 8;
}

export const isIpAddress = (value: string): boolean => IPV4.test(value) || isIpv6(value);

interface ItineraryLookup {
	itineraryId: string;
	email: string;
	headers: Record<string, string>;
}

/** The lookup of one item, or a NodeOperationError that says which input to fix and how. */
function readLookup(this: IExecuteFunctions, itemIndex: number): ItineraryLookup {
	const itineraryId = String(this.getNodeParameter('itineraryId', itemIndex, '') ?? '').trim();
	const email = String(this.getNodeParameter('email', itemIndex, '') ?? '').trim();
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const customerIp =
		String(options.customerIp ?? DEFAULT_CUSTOMER_IP).trim() || DEFAULT_CUSTOMER_IP;
	const sessionId = String(options.customerSessionId ?? '').trim();

	// The first problem found, as [message, what to do].
	const problem = (
		[
			[
				itineraryId === '',
				'Itinerary ID is empty',
				'Enter the itinerary ID of the booking, or map itinerary_id from the Expedia Rapid Trigger.',
			],
			[
				!ITINERARY_ID.test(itineraryId),
				`"${itineraryId.slice(0, 40)}" is not an itinerary ID`,
				'An itinerary ID is made of digits, e.g. 8955599932111. Map itinerary_id from the Expedia Rapid Trigger, or copy it from the booking.',
			],
			[
				email === '',
				'Email is empty',
				'Rapid finds a booking by its itinerary ID and the email address it was booked with. Enter that email, or map email from the Expedia Rapid Trigger.',
			],
			[
				!EMAIL.test(email),
				`"${email.slice(0, 60)}" is not an email address`,
				'Enter the email address the booking was made with, e.g. name@example.com.',
			],
			[
				!isIpAddress(customerIp),
				`Customer IP "${customerIp.slice(0, 60)}" is not an IP address`,
				'Enter the IPv4 or IPv6 address of the traveler, e.g. 203.0.113.7, or clear the option to send 127.0.0.1 (no traveler present).',
			],
		] as Array<[boolean, string, string]>
	).find(([failed]) => failed);
	if (problem) {
		throw new NodeOperationError(this.getNode(), problem[1], {
			itemIndex,
			description: problem[2],
		});
	}
	const headers: Record<string, string> = { 'Customer-Ip': customerIp };
	if (sessionId !== '') headers['Customer-Session-Id'] = sessionId;
	return { itineraryId, email, headers };
}

/** What each error means for this lookup, in place of the transport's general advice. */
const ADVICE: Partial<Record<number, string>> = {
	400: 'Rapid did not accept the lookup; the reasons above say which part. Check the itinerary ID and the email.',
	403: 'Rapid refused access for this API key. Ask Rapid support to enable booking retrieval for your account.',
	404: 'Rapid found no booking with this itinerary ID and email. Check both (the email must be the one the booking was made with); a booking made in the last minutes may not be readable yet, so try again later.',
};

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const { itineraryId, email, headers } = readLookup.call(this, itemIndex);
	const path = `/v3/itineraries/${encodeURIComponent(itineraryId)}`;
	const { body, statusCode } = await rapidApiRequest.call(
		this,
		'Reading the booking',
		'GET',
		path,
		{
			qs: { email },
			headers,
			advice: ADVICE,
			itemIndex,
		},
	);
	if (typeof body !== 'object' || body === null || Array.isArray(body)) {
		throw apiError(
			this.getNode(),
			{},
			{
				itemIndex,
				httpCode: String(statusCode),
				message: `Rapid answered the itinerary lookup with ${body === undefined || body === '' ? 'an empty body' : 'something that is not an itinerary'}`,
				description:
					'Nothing was output. Try again; if it keeps happening, check the environment and base URL of the Expedia Rapid API credential.',
			},
		);
	}
	const itinerary = body as IDataObject;
	// Only the booking asked for goes on: another one (a cache or a wrong route in between) or an
	// object without an itinerary ID would put the wrong guest in front of the flow.
	const answered = itinerary.itinerary_id;
	if (answered === undefined || answered === null || String(answered) !== itineraryId) {
		throw apiError(
			this.getNode(),
			{},
			{
				itemIndex,
				httpCode: String(statusCode),
				message:
					answered === undefined || answered === null
						? 'Rapid answered the itinerary lookup without an itinerary ID'
						: `Rapid answered with booking ${String(answered).slice(0, 40)} instead of ${itineraryId}`,
				description:
					'Nothing was output. Try again; if it keeps happening, check the environment and base URL of the Expedia Rapid API credential.',
			},
		);
	}
	if (isIncomplete(itinerary)) {
		this.addExecutionHints({
			message:
				'Rapid has not finished preparing this new booking and returned only its ID and creation time. Read it again in a few minutes.',
			type: 'warning',
			location: 'outputPane',
		});
	}
	const simplify = this.getNodeParameter('simplify', itemIndex, true) as boolean;
	return [simplify ? simplifyItinerary(itinerary) : itinerary];
}

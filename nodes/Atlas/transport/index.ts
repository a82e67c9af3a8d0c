/**
 * The only place that talks HTTP to Atlas. Every call is `POST {baseUrl}/{endpoint}.do` with a JSON
 * body; success is decided by the envelope's `status` alone (Atlas answers HTTP 200 to bad keys).
 */
import type { IDataObject, IHttpRequestOptions, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';
import { z } from 'zod';

import { afterAttempts, apiError, networkApiError, redirectApiError } from '../../shared/errors';
import {
	type ApiRequestContext,
	type Attempt,
	isRetryableUnsent,
	sendAttempt,
} from '../../shared/http';
import { secretValues } from '../../shared/redact';
import {
	isRetryableHttpStatus,
	type Reading,
	retryAfterMs,
	type RetryTable,
	withRetries,
} from '../../shared/retry';
import { atlasBaseUrl, type AtlasCredentialData, atlasWebhookToken } from './baseUrl';
import { ATLAS_REQUEST_HEADERS } from './headers';
import { type IncidentPage, readIncidentPage } from '../incidents';
import { ListingPlanError, readListing } from './paging';
import { atlasStatusAdvice, atlasStatusRule } from './statuses';

export const ATLAS_CREDENTIAL_TYPE = 'atlasApi';

/** The two statuses the transport branches on; every other one is in ATLAS_STATUS_RULES. */
const AtlasStatus = { ok: 0, rateLimited: 110 } as const;

/** Whether an error is Atlas' rate limit (status 110) outlasting the retries. */
export const isAtlasRateLimit = (error: unknown): boolean =>
	(error as { atlasStatus?: unknown } | undefined)?.atlasStatus === AtlasStatus.rateLimited;

/** The envelope every Atlas response shares; the payload fields sit beside `status`. */
export const atlasEnvelopeSchema = z
	.object({
		status: z.union([
			z.number(),
			z
				.string()
				.regex(/^-?\d+$/)
				.transform(Number),
		]),
		msg: z.string().nullish(),
	})
	.passthrough();

export type AtlasEnvelope = z.infer<typeof atlasEnvelopeSchema> & IDataObject;

/**
 * Atlas' retry rules. Once: the statuses its error pages say to retry once (ATLAS_STATUS_RULES),
 * network failures and unreadable answers (every call reads or sets the same thing again, so a
 * repeat is harmless). With backoff: status 110 and HTTP 429/5xx.
 */
export const ATLAS_RETRIES: Readonly<RetryTable> = Object.freeze({
	once: 1,
	backOff: 5,
	baseDelayMs: 1000,
	maxDelayMs: 30_000,
});

export interface AtlasRequestOptions {
	itemIndex?: number;
	/** Secrets the request carries besides the credential's (a token inside a URL sent). */
	secrets?: readonly string[];
}

/** The Atlas calls the nodes make (a typo would lose that call's status rules). */
export type AtlasEndpoint = 'updateWebhookURL' | 'event/getPageList' | 'queryOrderDetails';

const snippet = (text: string): string => (text.length > 200 ? `${text.slice(0, 200)}…` : text);
const CREDENTIAL_ADVICE = 'the base URL of the Atlas API credential';

/** What one attempt means for an Atlas call: the envelope (status 0), a retry, or the error. */
function readAttempt(
	this: ApiRequestContext,
	attempt: Attempt,
	call: { task: string; endpoint: AtlasEndpoint; itemIndex?: number },
): Reading<AtlasEnvelope> {
	const { task, endpoint, itemIndex } = call;
	const node = this.getNode();
	switch (attempt.kind) {
		case 'redirect':
			return {
				error: () =>
					redirectApiError(node, {
						service: 'Atlas',
						...attempt,
						advice: CREDENTIAL_ADVICE,
						itemIndex,
					}),
			};
		case 'unsent':
		case 'noAnswer':
			return {
				retry: attempt.kind === 'noAnswer' || isRetryableUnsent(attempt.code) ? 'once' : undefined,
				error: (attempts) =>
					networkApiError(node, {
						service: 'Atlas',
						code: attempt.code,
						detail: attempt.message,
						advice: CREDENTIAL_ADVICE,
						attempts,
						itemIndex,
					}),
			};
		case 'brokenBody':
			return {
				retry: 'once',
				error: (attempts) =>
					apiError(node, { code: attempt.code } as JsonObject, {
						message: `${task}: Atlas' answer broke off (${attempt.code})${afterAttempts(attempts)}`,
						description: `${attempt.message}. Try again; if it persists, check the network between n8n and Atlas.`,
						itemIndex,
					}),
			};
		case 'response':
			break;
	}
	const { statusCode, text } = attempt;
	if (statusCode < 200 || statusCode > 299) {
		const retryable = isRetryableHttpStatus(statusCode);
		return {
			retry: retryable ? 'backOff' : undefined,
			serverHintMs: retryAfterMs(attempt.headers),
			error: (attempts) =>
				apiError(node, { body: snippet(text) } as JsonObject, {
					message: `${task}: Atlas answered HTTP ${statusCode}${afterAttempts(attempts)}`,
					description: retryable
						? 'Atlas is overloaded or unavailable. Try again later.'
						: [401, 403].includes(statusCode)
							? `Atlas or a firewall in front of it refused the request. Check the client ID and client secret, and on production that your n8n's outgoing IP address is on the account's IP whitelist. Response: ${snippet(text)}`
							: `Response: ${snippet(text)}`,
					httpCode: String(statusCode),
					itemIndex,
				}),
		};
	}
	const parsed = atlasEnvelopeSchema.safeParse(attempt.body);
	if (!parsed.success) {
		return {
			retry: 'once',
			error: (attempts) =>
				apiError(node, { body: snippet(text) } as JsonObject, {
					message: `${task}: the answer is not one Atlas sends (no status in JSON)${afterAttempts(attempts)}`,
					description: `Received: ${snippet(text) || '(empty body)'}. Check ${CREDENTIAL_ADVICE}.`,
					httpCode: String(statusCode),
					itemIndex,
				}),
		};
	}
	const envelope = parsed.data as AtlasEnvelope;
	const { status, msg } = envelope;
	if (status === AtlasStatus.ok) return { value: envelope };
	const handling = atlasStatusRule(status, endpoint)?.handling;
	return {
		retry: handling === 'backOff' ? 'backOff' : handling === 'retryOnce' ? 'once' : undefined,
		error: (attempts) =>
			Object.assign(
				apiError(node, { status, msg } as JsonObject, {
					message: `${task}: Atlas refused the request with status ${status}${msg ? `: ${msg}` : ''}${afterAttempts(attempts)}`,
					description: atlasStatusAdvice(status, endpoint),
					httpCode: '200',
					itemIndex,
				}),
				{ atlasStatus: status },
			) as NodeApiError,
	};
}

/**
 * Sends one Atlas call and returns its envelope when `status` is 0, retrying as ATLAS_RETRIES says.
 * `task` says what the call is for, in the words of the node that makes it ("Listing incidents"):
 * every error starts with it. Every other outcome becomes a NodeApiError that says what happened
 * and what to do.
 */
export async function atlasApiRequest(
	this: ApiRequestContext,
	task: string,
	endpoint: AtlasEndpoint,
	body: IDataObject,
	options: AtlasRequestOptions = {},
): Promise<AtlasEnvelope> {
	const credentials = (await this.getCredentials(ATLAS_CREDENTIAL_TYPE)) as AtlasCredentialData &
		IDataObject;
	const secrets = secretValues([
		credentials.clientSecret,
		credentials.webhookToken,
		atlasWebhookToken(credentials),
		...(options.secrets ?? []),
	]);
	const request: IHttpRequestOptions = {
		method: 'POST',
		url: `${atlasBaseUrl(credentials)}/${endpoint}.do`,
		body,
		json: true,
		headers: { ...ATLAS_REQUEST_HEADERS },
	};
	const call = { task, endpoint, itemIndex: options.itemIndex };
	return await withRetries(async () => {
		const attempt = await sendAttempt.call(this, ATLAS_CREDENTIAL_TYPE, request, secrets);
		return readAttempt.call(this, attempt, call);
	}, ATLAS_RETRIES);
}

export interface ListingRequest {
	/** Atlas filters on one type per request: each is listed in turn; none lists every type. */
	eventTypes: string[];
	pageSize: number;
	/** Undefined: every record (Return All). */
	limit?: number;
	itemIndex?: number;
}

/**
 * Every incident matching `body` (Airtable's `apiRequestAllItems`): every page, one listing per event
 * type, read one after the other and cut at `limit`. `drift` says what moved while the pages were
 * read. An implausible plan (transport/paging.ts) is an error.
 */
export async function atlasApiRequestAllItems(
	this: ApiRequestContext,
	task: string,
	endpoint: AtlasEndpoint,
	body: IDataObject,
	listing: ListingRequest,
): Promise<{ records: IDataObject[]; drift: string[] }> {
	const { pageSize, limit, itemIndex } = listing;
	const records: IDataObject[] = [];
	const drift: string[] = [];
	const fetchPage = async (query: IDataObject, pageIndex: number, size: number) => {
		const page = { ...query, pageIndex, pageSize: size };
		const envelope = await atlasApiRequest.call(this, task, endpoint, page, { itemIndex });
		const reading = readIncidentPage(envelope);
		if (reading.ok) return reading.page;
		throw new NodeApiError(this.getNode(), envelope as JsonObject, {
			itemIndex,
			message: `Atlas returned an unexpected incident list page ${pageIndex}: ${reading.problem}`,
			description:
				'The response had status 0 but not the documented fields, so no incidents were output.',
		});
	};
	for (const eventType of listing.eventTypes.length > 0 ? listing.eventTypes : [undefined]) {
		const remaining = limit === undefined ? undefined : limit - records.length;
		if (remaining !== undefined && remaining <= 0) break;
		const query = eventType === undefined ? body : { ...body, eventType };
		const read = await readListing(
			async (pageIndex, size): Promise<IncidentPage> => await fetchPage(query, pageIndex, size),
			{ pageSize, limit: remaining },
		).catch((error: unknown) => {
			if (!(error instanceof ListingPlanError)) throw error;
			throw new NodeApiError(this.getNode(), {} as JsonObject, {
				itemIndex,
				message: error.message,
				description:
					'No incidents were output. Narrow the filters (for example Updated Since or Statuses), set a limit, or check the base URL of the Atlas API credential if these numbers cannot be right.',
			});
		});
		records.push(...read.records);
		drift.push(...read.drift);
	}
	return { records, drift };
}

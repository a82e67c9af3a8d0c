/** Callback payloads shaped as Atlas documents them. */
import type { IDataObject } from 'n8n-workflow';

export const CID = 'atlas-test-client';

/**
 * Credentials for both triggers with no server behind them (webhook calls read them; nothing is
 * sent): Atlas points at a closed port.
 */
export const offlineTriggerCredentials = (
	rapid: { apiKey: string; sharedSecret: string },
	atlas: { clientSecret: string; webhookToken?: string },
) => ({
	expediaRapidApi: { environment: 'test', ...rapid },
	atlasApi: { environment: 'custom', baseUrl: 'http://127.0.0.1:9', clientId: CID, ...atlas },
});

const segment = (depTime: string, flightNumber: string) => ({
	depAirport: 'PEK',
	arrAirport: 'SIN',
	depTime,
	arrTime: '2024-06-01 16:40:00',
	carrier: 'CA',
	flightNumber,
	codeShare: false,
	depTerminal: 'T3',
	arrTerminal: 'T1',
});

export const SAMPLE_EVENTS: Record<string, IDataObject> = {
	'order.ticketed': {
		cid: CID,
		type: 'order.ticketed',
		status: 0,
		data: {
			orderNo: 'TO202406010001',
			orderStatus: 2,
			paxTicketInfos: [
				{
					name: 'ZHANG/SAN',
					paxType: 'ADT',
					ticketNos: ['999-1234567890'],
					airlinePNRs: ['NX4K2P'],
				},
			],
		},
	},
	'order.void': {
		cid: CID,
		type: 'order.void',
		status: 0,
		data: { orderNo: 'TO202406010002', voidCode: 'V01', voidStatus: 3, message: 'Void accepted' },
	},
	'order.cancelled': {
		cid: CID,
		type: 'order.cancelled',
		status: 0,
		data: {
			orderNo: 'TO202406010003',
			errorCode: 'E1001',
			errorMessage: 'Fare no longer available',
		},
	},
	'order.schedulechange': {
		cid: CID,
		type: 'order.schedulechange',
		notificationId: 'N-SC-1',
		status: 0,
		data: {
			orderNo: 'TO202406010004',
			scheduleChangeType: 1,
			originalSegs: [segment('2024-06-01 08:00:00', 'CA969')],
			previousSegs: [segment('2024-06-01 08:00:00', 'CA969')],
			revisedSegs: [segment('2024-06-01 09:30:00', 'CA969')],
		},
	},
	'email.schedulechange': {
		cid: CID,
		type: 'email.schedulechange',
		notificationId: 'N-ESC-1',
		status: 0,
		data: {
			orderNo: 'TO202406010005',
			emailSubject: 'Your flight CA969 has changed',
			emailLink: 'https://atlas.example/email/abc',
		},
	},
	'abnormal.cancelled': {
		cid: CID,
		type: 'abnormal.cancelled',
		notificationId: 'N-AC-1',
		status: 0,
		data: {
			orderNo: 'TO202406010006',
			vendorRefundInformation: 'FULLY',
		},
	},
	'airline.status': {
		type: 'airline.status',
		status: 0,
		data: { airline: ['CA', 'MU'], airlineStatus: 'Maintenance' },
	},
	'email.all': {
		cid: CID,
		type: 'email.all',
		notificationId: 'N-EA-1',
		status: 0,
		data: {
			orderNo: 'TO202406010007',
			emailReceivingDate: '2024-06-01 02:03:04',
			uniqueCode: 'U-77',
			emailCategory: 'Payment Success',
			from: 'noreply@airline.example',
			to: 'ops@agency.example',
			emailSubject: 'Payment received',
			emailLink: 'https://atlas.example/email/def',
			createTime: '2024-06-01 10:03:05',
		},
	},
	'order.addonComplete': {
		cid: CID,
		type: 'order.addonComplete',
		status: 0,
		data: { orderNo: 'TO202406010008', addonType: 'baggage' },
	},
	'order.refundComplete': {
		cid: CID,
		type: 'order.refundComplete',
		status: 0,
		data: { orderNo: 'TO202406010009', refundAmount: '88.00' },
	},
};

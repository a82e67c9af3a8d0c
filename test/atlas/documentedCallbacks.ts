/**
 * Every callback sample Atlas publishes, copied as printed, each with the documentation file it
 * comes from (repository atlas-doc/atlas-api-docs). Several carry `status: -1`; the airline status
 * and the cancellation sample carry no `cid`.
 */
import type { IDataObject } from 'n8n-workflow';

export interface DocumentedCallback {
	/** The documentation file that prints the sample. */
	source: string;
	name: string;
	payload: IDataObject;
}

export const DOCUMENTED_CALLBACKS: DocumentedCallback[] = [
	{
		source: 'integration-guides/webhook-overview/ticketing-complete-notification.md',
		name: 'order.ticketed, typical payload',
		payload: {
			cid: 'XXXXXXX',
			data: {
				orderNo: 'TESTL20230922153224323',
				orderStatus: 2,
				paxTicketInfos: [
					{
						name: 'zhang/lisi',
						passengerType: 1,
						ticketNos: ['S30814'],
						airlinePNRs: ['S30814'],
						ancillaries: [],
					},
				],
			},
			status: -1,
			type: 'order.ticketed',
		},
	},
	{
		source: 'integration-guides/webhook-overview/ticketing-complete-notification.md',
		name: 'order.ticketed, three passengers',
		payload: {
			cid: 'XXXXXXX',
			data: {
				orderNo: 'TESTL20230922153224323',
				orderStatus: 2,
				paxTicketInfos: [
					{
						airlinePNRs: ['S30814'],
						ancillaries: [],
						birthday: '20160202',
						cardExpired: '20400101',
						cardIssuePlace: 'CN',
						cardNum: '123458',
						cardType: 'PP',
						gender: 'F',
						name: 'zhang/lisi',
						nationality: 'CN',
						passengerType: 1,
						ticketNos: ['S30814'],
					},
					{
						airlinePNRs: ['S30814'],
						ancillaries: [],
						birthday: '19920202',
						cardExpired: '20400101',
						cardIssuePlace: 'CN',
						cardNum: '123457',
						cardType: 'PP',
						gender: 'F',
						name: 'li/si',
						nationality: 'CN',
						passengerType: 0,
						ticketNos: ['S30814'],
					},
					{
						airlinePNRs: ['S30814'],
						ancillaries: [],
						birthday: '19910101',
						cardExpired: '20400101',
						cardIssuePlace: 'CN',
						cardNum: '123456',
						cardType: 'PP',
						gender: 'M',
						name: 'zhang/san',
						nationality: 'CN',
						passengerType: 0,
						ticketNos: ['S30814'],
					},
				],
			},
			status: -1,
			type: 'order.ticketed',
		},
	},
	{
		source: 'readme/webhook-overview/void-notification.md',
		name: 'order.void, success',
		payload: {
			cid: 'XXXXXXX',
			type: 'order.void',
			status: -1,
			data: {
				orderNo: 'TESTA20250512100600259',
				voidCode: '202505-0012',
				voidStatus: 2,
				message: 'Void successful and confirmed by the airline.',
			},
		},
	},
	{
		source: 'readme/webhook-overview/void-notification.md',
		name: 'order.void, retry failure',
		payload: {
			cid: 'XXXXXXX',
			type: 'order.void',
			status: -1,
			data: {
				orderNo: 'TESTA20250512100600259',
				voidCode: '202505-0012',
				voidStatus: 4,
				message: 'Automatic void processing failed after 10 retries.',
			},
		},
	},
	{
		source: 'integration-guides/webhook-overview/schedule-change-notification.md',
		name: 'order.schedulechange, typical payload',
		payload: {
			cid: 'XXXXXXX',
			notificationId: '20230917143240511TATVO',
			status: 0,
			type: 'order.schedulechange',
			data: {
				orderNo: 'ATXFQ20230720193244809',
				scheduleChangeType: 1,
				previousSegs: [],
				revisedSegs: [],
				originalSegs: [],
			},
		},
	},
	{
		source: 'integration-guides/webhook-overview/schedule-change-notification.md',
		name: 'order.schedulechange, full sample',
		payload: {
			cid: 'XXXXXXX',
			notificationId: '20230917143240511TATVO',
			status: 0,
			type: 'order.schedulechange',
			data: {
				orderNo: 'ATXFQ20230720193244809',
				scheduleChangeType: 1,
				previousSegs: [
					{
						arrAirport: 'SGN',
						arrTerminal: '',
						arrTime: '2023-07-24 21:30:00',
						carrier: 'VJ',
						codeShare: false,
						depAirport: 'HKG',
						depTerminal: '',
						depTime: '2023-07-24 19:50:00',
						flightNumber: 'VJ877',
						direction: 1,
					},
					{
						arrAirport: 'HKG',
						arrTerminal: '',
						arrTime: '2023-10-18 18:50:00',
						carrier: 'VJ',
						codeShare: false,
						depAirport: 'SGN',
						depTerminal: '',
						depTime: '2023-10-18 14:55:00',
						flightNumber: 'VJ876',
						direction: 1,
					},
				],
				revisedSegs: [
					{
						arrAirport: 'SGN',
						arrTerminal: '',
						arrTime: '2023-07-24 21:30:00',
						carrier: 'VJ',
						codeShare: false,
						depAirport: 'HKG',
						depTerminal: '',
						depTime: '2023-07-24 19:50:00',
						flightNumber: 'VJ877',
						direction: 1,
					},
					{
						arrAirport: 'HKG',
						arrTerminal: '',
						arrTime: '2023-10-19 18:50:00',
						carrier: 'VJ',
						codeShare: false,
						depAirport: 'SGN',
						depTerminal: '',
						depTime: '2023-10-19 15:10:00',
						flightNumber: 'VJ876',
						direction: 1,
					},
				],
				originalSegs: [
					{
						arrAirport: 'SGN',
						arrTerminal: '',
						arrTime: '2023-07-24 21:30:00',
						carrier: 'VJ',
						codeShare: false,
						depAirport: 'HKG',
						depTerminal: '',
						depTime: '2023-07-24 19:50:00',
						flightNumber: 'VJ877',
						direction: 1,
					},
					{
						arrAirport: 'HKG',
						arrTerminal: '',
						arrTime: '2023-10-18 18:50:00',
						carrier: 'VJ',
						codeShare: false,
						depAirport: 'SGN',
						depTerminal: '',
						depTime: '2023-10-18 14:55:00',
						flightNumber: 'VJ876',
						direction: 1,
					},
				],
			},
		},
	},
	{
		source: 'integration-guides/webhook-overview/airline-status-update-notification.md',
		name: 'airline.status, sample',
		payload: {
			data: { airline: ['TO', 'HV'], airlineStatus: 'Active' },
			status: -1,
			type: 'airline.status',
		},
	},
	{
		source: 'integration-guides/webhook-overview/email-notification.md',
		name: 'email.all, typical payload',
		payload: {
			cid: 'XXXXX',
			data: {
				orderNo: 'XXXXXX',
				emailCategory: 'Payment Success',
				emailSubject: 'easyJet booking reference: XXXXX',
				emailLink: 'http://example.com/email.eml',
				createTime: '2024-01-05 10:54:26',
			},
			notificationId: '20240105105430470MJMOR',
			status: -1,
			type: 'email.all',
		},
	},
	{
		source: 'integration-guides/webhook-overview/email-notification.md',
		name: 'email.all, full sample',
		payload: {
			cid: 'XXXXX',
			data: {
				orderNo: 'XXXXXX',
				emailReceivingDate: '2024-01-05 10:54:21',
				uniqueCode: 'e4afbecfd5727817ff73a71a94a2a64d',
				emailCategory: 'Payment Success',
				from: 'donotreply@easyjet.com',
				to: 'NSDLZCQTGJTEYXOMFOD@gorn.top',
				emailSubject: 'easyJet booking reference: XXXXX',
				emailLink:
					'http://order-oss-sg.oss-ap-southeast-1.aliyuncs.com/2024/01/e4afbecfd5727817ff73a71a94a2a64d.eml?Expires=1704426870&OSSAccessKeyId=LTAI5tDmTE9iwtNdsqxVXuom&Signature=zF8aNNsGgY8n2jhsW7V1gmPLw8c%3D',
				createTime: '2024-01-05 10:54:26',
			},
			notificationId: '20240105105430470MJMOR',
			status: -1,
			type: 'email.all',
		},
	},
	{
		source: 'integration-guides/webhook-overview/incident-notification.md',
		name: 'email.schedulechange, sample',
		payload: {
			cid: 'xxxxxxxxxx',
			type: 'email.schedulechange',
			notificationId: '20230323113246035DNIDD',
			status: 0,
			data: {
				orderNo: 'TESTS20230323103458265',
				emailSubject: 'IMPORTANT: Flight delay notice. Confirmation Code KDK7QG',
				emailLink: 'https://theatlas/#/email-detail/4378270',
			},
		},
	},
	{
		source: 'integration-guides/webhook-overview/incident-notification.md',
		name: 'order.schedulechange, incident sample',
		payload: {
			cid: 'xxxxxxxxxx',
			data: {
				orderNo: 'XCEWF20221203094515954',
				previousSegs: [
					{
						arrAirport: 'DPS',
						arrTerminal: '',
						arrTime: '2023-01-24 10:35:00',
						carrier: 'IU',
						codeShare: false,
						depAirport: 'CGK',
						depTerminal: '',
						depTime: '2023-01-24 07:45:00',
						flightNumber: 'IU740',
					},
					{
						arrAirport: 'CGK',
						arrTerminal: '',
						arrTime: '2023-04-24 16:05:00',
						carrier: 'IU',
						codeShare: false,
						depAirport: 'DPS',
						depTerminal: '',
						depTime: '2023-04-24 15:15:00',
						flightNumber: 'IU759',
					},
				],
				revisedSegs: [
					{
						arrAirport: 'CGK',
						arrTerminal: '',
						arrTime: '2023-04-24 16:05:00',
						carrier: 'IU',
						codeShare: false,
						depAirport: 'DPS',
						depTerminal: '',
						depTime: '2023-04-24 15:15:00',
						flightNumber: 'IU743',
					},
				],
				scheduleChangeType: 1,
			},
			notificationId: '20230424050252711WZDMB',
			status: 0,
			type: 'order.schedulechange',
		},
	},
	{
		source: 'integration-guides/webhook-overview/incident-notification.md',
		name: 'abnormal.cancelled, sample',
		payload: {
			cid: 'xxxxxxxxxx',
			data: { orderNo: 'RQWUV20230617185232880', vendorRefundInformation: 'FULLY' },
			notificationId: '20230906014000568DRLNX',
			status: 0,
			type: 'abnormal.cancelled',
		},
	},
	{
		source: 'readme/booking-overview/payment-and-ticketing/hybrid-payment-guide.md',
		name: 'order.cancelled, sample',
		payload: {
			type: 'order.cancelled',
			data: {
				orderNo: '{canceled order no}',
				errorCode: '604',
				errorMessage: 'Payment declined by airline',
			},
		},
	},
];

/**
 * The valid `data.emailCategory` values of `email.all`, as listed in
 * integration-guides/webhook-overview/email-notification.md (schema tab).
 */
export const DOCUMENTED_EMAIL_CATEGORIES = [
	'Schedule change',
	'Receipt',
	'Payment Success',
	'Verification',
	'Trip Reminder',
	'Promo code',
	'Travel Itinerary',
	'Advertisement',
	'PNR Cancellation Success',
	'Payment Due',
	'Unidentified',
	'Duplicated Schedule Change',
	'Unaccounted Cancellation',
];

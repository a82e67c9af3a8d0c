/**
 * Reading a trigger's answer now that a refused call may carry the refusal report: events start
 * the workflow on the first output, the report rides on the second (Refused).
 */
import type { IDataObject, INodeExecutionData, IWebhookResponseData } from 'n8n-workflow';

/** The items the answer starts the workflow with on its first output (the events). */
export const eventItems = (result: IWebhookResponseData): INodeExecutionData[] =>
	result.workflowData?.[0] ?? [];

/** The refusal report on the Refused output, when the answer carries one. */
export const refusalReportOf = (result: IWebhookResponseData): IDataObject | undefined =>
	result.workflowData?.[1]?.[0]?.json;

/** Answered directly and no event started: at most one refusal report on the Refused output. */
export function expectNoEvent(result: IWebhookResponseData): void {
	expect(result.noWebhookResponse).toBe(true);
	expect(eventItems(result)).toEqual([]);
	expect(result.workflowData?.[1]?.length ?? 0).toBeLessThanOrEqual(1);
	const report = refusalReportOf(result);
	if (report) expect(report.refusedDeliveries).toBe(true);
}

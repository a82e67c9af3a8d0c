/**
 * Every workflow ID we ship or publish in a real n8n fits MAX_WORKFLOW_ID_LENGTH: n8n 1.x silently
 * saves no static data for a longer one, so the triggers' duplicate windows and the poller's memory
 * would be lost at every restart there, with nothing failing but the duplicates.
 */
import { queueWorkflows } from '../../dev/queue/harness';
import { testWorkflows } from '../../dev/e2e/harness';
import { loadExamples, MAX_WORKFLOW_ID_LENGTH } from '../../dev/n8n/stack';
import { SMOKE_MANUAL_WORKFLOW_ID, SMOKE_WEBHOOK_WORKFLOW_ID } from '../../dev/n8n/smoke';

const tooLong = (ids: string[]) => ids.filter((id) => id.length > MAX_WORKFLOW_ID_LENGTH);

describe('workflow IDs', () => {
	it("the limit is n8n 1.x's: 16 characters", () => {
		expect(MAX_WORKFLOW_ID_LENGTH).toBe(16);
	});

	it.each<[string, () => string[]]>([
		['the examples (queue mode too)', () => loadExamples({ queueMode: true }).map((w) => w.id)],
		['the e2e test workflows', () => testWorkflows().map((w) => w.id)],
		['the queue suite workflows', () => queueWorkflows().map((w) => w.id)],
		['the smoke check workflows', () => [SMOKE_MANUAL_WORKFLOW_ID, SMOKE_WEBHOOK_WORKFLOW_ID]],
	])('%s fit it', (_name, ids) => {
		expect(ids().length).toBeGreaterThan(0);
		expect(tooLong(ids())).toEqual([]);
	});

	it('a longer ID is caught', () => {
		expect(tooLong(['TravelOpsEx01', 'TravelOpsExample01'])).toEqual(['TravelOpsExample01']);
	});

	it('IDs are unique across the e2e and queue stacks', () => {
		const ids = [...loadExamples({ queueMode: true }), ...testWorkflows(), ...queueWorkflows()].map(
			(w) => w.id,
		);
		expect(new Set(ids).size).toBe(ids.length);
	});
});

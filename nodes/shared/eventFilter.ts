/** Which event types a trigger emits: a chosen list, or everything (unknown types included). */
export interface EventFilter {
	/** Selected types; empty or containing '*' means all. */
	types: string[];
	/** Whether types outside the node's catalogue pass when a list is chosen. */
	includeUnknown: boolean;
}

export const ALL_EVENTS = '*';

export function isEventWanted(
	eventType: string | undefined,
	filter: EventFilter,
	knownTypes: readonly string[],
): boolean {
	if (filter.types.length === 0 || filter.types.includes(ALL_EVENTS)) return true;
	if (eventType !== undefined && filter.types.includes(eventType)) return true;
	const isKnown = eventType !== undefined && knownTypes.includes(eventType);
	return !isKnown && filter.includeUnknown;
}

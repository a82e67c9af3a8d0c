/** What the property tests exercise, in one place. */
export { callbackSchemaFor, summariseCallback } from '../../nodes/Atlas/events';
export { toTriggerItem as atlasItem } from '../../nodes/Atlas/AtlasTriggerHelpers';
export { summariseNotification } from '../../nodes/ExpediaRapid/events';
export { toTriggerItem as rapidItem } from '../../nodes/ExpediaRapid/ExpediaRapidTriggerHelpers';
export {
	buildAuthorizationHeader,
	computeSignature,
	parseAuthorizationHeader,
	verifyAuthorizationHeader,
} from '../../nodes/ExpediaRapid/signature';

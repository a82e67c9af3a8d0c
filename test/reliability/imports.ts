/** What the property tests exercise, in one place. */
export { callbackSchemaFor, summariseCallback } from '../../nodes/Atlas/events';
export { toTriggerItem as atlasItem } from '../../nodes/Atlas/AtlasTrigger.node';
export { summariseNotification } from '../../nodes/ExpediaRapid/events';
export { toTriggerItem as rapidItem } from '../../nodes/ExpediaRapid/ExpediaRapidTrigger.node';
export {
	buildAuthorizationHeader,
	computeSignature,
	parseAuthorizationHeader,
	verifyAuthorizationHeader,
} from '../../nodes/ExpediaRapid/signature';

export { AtlasApi } from './credentials/AtlasApi.credentials';
export { ExpediaRapidApi } from './credentials/ExpediaRapidApi.credentials';
export { Atlas } from './nodes/Atlas/Atlas.node';
export { AtlasIncidentTrigger } from './nodes/Atlas/AtlasIncidentTrigger.node';
export { AtlasTrigger } from './nodes/Atlas/AtlasTrigger.node';
export { ExpediaRapid } from './nodes/ExpediaRapid/ExpediaRapid.node';
export { ExpediaRapidTrigger } from './nodes/ExpediaRapid/ExpediaRapidTrigger.node';

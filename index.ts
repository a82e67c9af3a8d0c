export { AtlasApi } from './credentials/AtlasApi.credentials';
export { ExpediaRapidApi } from './credentials/ExpediaRapidApi.credentials';
